"""Big Brother (พี่ช่วยน้อง) mentoring: explained; a request (after consent, the track asked in
the same flow) proposes the best mentor to staff as a pending introduction; would-be mentors
(alumni, firms) volunteer, also after consent. Staff decide in handlers/staff.py."""

from __future__ import annotations

from typing import Any

from domain import mentors
from domain.context import Context, Result
from domain.effects import ContinueWith, RecordIntro, SaveProfile, SendPush
from domain.ids import new_id
from domain.menus import after_answer
from domain.prompts import MentorTrack
from domain.replies import Choice, Message, Push, Text
from domain.routes import Route


def about(ctx: Context) -> Result:
    choices = [ctx.choice("mentor_request"), *after_answer(ctx, "agro", "creative", "smart", "volunteer")]
    return Result([ctx.text("mentor.about")], choices)


def _consent_first(ctx: Context) -> Result | None:
    if ctx.consent.get("current"):
        return None
    then = Route(ctx.route.name, {k: v for k, v in ctx.args.items() if k != "intro"})
    intro: list[Message] = [ctx.text("mentor.request_intro")] if ctx.args.get("intro") else []
    return Result(intro, effects=[ContinueWith(Route("consent.ask", {"then": then.to_json()}))])


def ask_track(ctx: Context) -> Result:
    choices = [ctx.choice("agro"), ctx.choice("creative"), ctx.choice("smart"), ctx.choice("cancel")]
    return Result([ctx.text("mentor.which_track")], choices, state=ctx.keep(prompt=MentorTrack()))


def request(ctx: Context) -> Result:
    if (r := _consent_first(ctx)) is not None:
        return r
    profile = dict(ctx.profile or {"v": 1})
    if any(r["status"] == "pending" for r in profile.get("mentor_requests", [])):
        return Result([ctx.text("mentor.already")], after_answer(ctx, "status"))
    track = ctx.args.get("track") or ctx.entities.track or profile.get("track")
    if not track:
        return ask_track(ctx)
    wanted = {**profile, "track": track, "sector_tag": ctx.entities.sector or profile.get("sector_tag")}
    province = ctx.catalog.province.get(wanted.get("province", ""))
    found = mentors.best(ctx.catalog.mentors, wanted, province.region if province else None,
                         ctx.lookups.mentor_load(), track)  # fmt: skip
    iid = new_id("M", ctx.incoming.event_id)
    mentor = found[0] if found else None
    intro = {"v": 1, "id": iid, "at": ctx.now.isoformat(), "status": "pending", "mentor": mentor.id if mentor else None,
             "track": track, "mentee_chat": ctx.incoming.chat_id, "lang": ctx.lang}  # fmt: skip
    request = {"id": iid, "at": ctx.now.isoformat(), "status": "pending", "track": track}
    profile["mentor_requests"] = [*profile.get("mentor_requests", []), request]
    alerts = [SendPush(p) for p in _alert_staff(ctx, intro, wanted, mentor)]
    return Result(
        [ctx.text("mentor.requested")],
        after_answer(ctx, "status", "recommend"),
        effects=[SaveProfile(profile), RecordIntro(intro), *alerts],
    )


def _alert_staff(ctx: Context, intro: dict[str, Any], profile: dict[str, Any], mentor: Any) -> list[Push]:
    track = ctx.t("choice." + intro["track"], "th")
    who = f"{profile.get('business_name', '-')} ({profile.get('province', '-')}, {track})"
    offer = (
        ctx.t(
            "mentor.staff_offer",
            "th",
            name=mentor.name_th,
            business=mentor.business_th,
            cohort=mentor.cohort or "-",
            province=mentor.province,
        )
        if mentor
        else ctx.t("mentor.staff_none", "th")
    )
    text = Text(ctx.t("mentor.staff_alert", "th", id=intro["id"], who=who, offer=offer))
    yes, no = ctx.t("mentor.approve_label", "th", id=intro["id"]), ctx.t("mentor.decline_label", "th", id=intro["id"])
    choices = (Choice(ctx.t("choice.approve", "th"), yes), Choice(ctx.t("choice.decline", "th"), no))
    return [Push(to=s, messages=(text,), choices=choices) for s in sorted(ctx.staff)]


def volunteer(ctx: Context) -> Result:
    if (r := _consent_first(ctx)) is not None:
        return r
    profile = dict(ctx.profile or {"v": 1})
    profile["volunteer"] = {"at": ctx.now.isoformat(), "status": "pending"}
    who = f"{profile.get('business_name', '-')} ({profile.get('province', '-')})"
    alert = Text(ctx.t("mentor.staff_volunteer", "th", who=who))
    return Result(
        [ctx.text("mentor.volunteer")],
        after_answer(ctx, "status", "human"),
        effects=[SaveProfile(profile), *[SendPush(Push(to=s, messages=(alert,))) for s in sorted(ctx.staff)]],
    )
