"""Big Brother (พี่ช่วยน้อง) mentoring: explained; a request (after consent) proposes the best
mentor to staff as a pending introduction; staff approve or decline on LINE and the mentee is
told; would-be mentors (alumni, firms) volunteer, also after consent."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from bot import mentors
from bot.flex import render
from handlers import consent
from handlers.base import Card, Choice, Context, Message, Push, Result, Text
from handlers.menu import after_answer

VOLUNTEER = re.compile(r"อยากเป็นพี่เลี้ยง|เป็นพี่เลี้ยง|สมัครเป็นพี่เลี้ยง|become a mentor|be a mentor|volunteer", re.I)


def handle(ctx: Context) -> Result:
    if ctx.extra.get("volunteer") or VOLUNTEER.search(ctx.incoming.text):
        return volunteer(ctx)
    if ctx.extra.get("request"):
        return request(ctx)
    return Result(
        [ctx.text("mentor.about")],
        [ctx.choice("mentor_request"), *after_answer(ctx, "agro", "creative", "smart", "volunteer")],
    )


def request(ctx: Context) -> Result:
    if not ctx.consent.get("current"):
        return consent.ask(ctx, "mentor")
    profile = dict(ctx.profile or {"v": 1})
    if any(r["status"] == "pending" for r in profile.get("mentor_requests", [])):
        return Result([ctx.text("mentor.already")], after_answer(ctx, "status"))
    track = ctx.entities.get("track") or profile.get("track")
    if not track:
        return Result(
            [ctx.text("mentor.which_track")], [ctx.choice("agro"), ctx.choice("creative"), ctx.choice("smart")]
        )
    wanted = {**profile, "track": track, "sector_tag": ctx.entities.get("sector") or profile.get("sector_tag")}
    province = ctx.data.province.get(wanted.get("province", ""))
    found = mentors.best(
        ctx.data.mentors, wanted, province.region if province else None, ctx.extra.get("mentor_load") or {}, track
    )
    iid = "M" + hashlib.sha256(f"{ctx.incoming.event_id}{ctx.now}".encode()).hexdigest()[:6].upper()
    mentor = found[0] if found else None
    intro = {
        "v": 1,
        "id": iid,
        "at": ctx.now.isoformat(),
        "status": "pending",
        "mentor": mentor.id if mentor else None,
        "track": track,
        "mentee_chat": ctx.incoming.chat_id,
        "lang": ctx.lang,
    }
    profile["mentor_requests"] = [
        *profile.get("mentor_requests", []),
        {"id": iid, "at": ctx.now.isoformat(), "status": "pending", "track": track},
    ]
    return Result(
        [ctx.text("mentor.requested")],
        after_answer(ctx, "status", "recommend"),
        profile=profile,
        intros={iid: intro},
        pushes=_alert_staff(ctx, intro, wanted, mentor),
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
    choices = (Choice(yes[:20], yes), Choice(no[:20], no))
    return [Push(to=s, messages=(text,), choices=choices) for s in sorted(ctx.staff)]


def decide(ctx: Context) -> Result:
    """Staff: "อนุมัติ M…" or "ปฏิเสธ M…"."""
    iid, intro = ctx.extra["arg"], ctx.extra.get("record")
    if intro is None:
        return Result([ctx.text("mentor.unknown", id=iid)])
    if intro["status"] != "pending":
        return Result([ctx.text("mentor.decided", id=iid, status=intro["status"])])
    approved = ctx.extra.get("approve", False)
    intro = {**intro, "status": "approved" if approved else "declined", "decided": ctx.now.isoformat()}
    lang = intro.get("lang", "th")
    mentor = next((m for m in ctx.data.mentors.mentors if m.id == intro.get("mentor")), None)
    if approved and mentor:
        name = mentor.name_en if lang == "en" else mentor.name_th
        business = mentor.business_en if lang == "en" else mentor.business_th
        text = ctx.t("mentor.approved_user", lang, name=name, business=business, province=mentor.province)
        card = render(
            ctx.data.flex["mentor"],
            {
                "title": ctx.t("mentor.card_title", lang),
                "name": name,
                "business": business,
                "detail": ctx.t("mentor.card_detail", lang, cohort=mentor.cohort or "-", province=mentor.province),
                "bio": (mentor.bio_en if lang == "en" else mentor.bio_th) or "-",
            },
        )
        note: tuple[Message, ...] = (Text(text), Card(alt=text[:400], contents=card, fallback=text))
    else:
        note = (Text(ctx.t("mentor.declined_user", lang)),)
    key = "mentor.staff_approved" if approved else "mentor.staff_declined"
    return Result([ctx.text(key, id=iid)], pushes=[Push(to=intro["mentee_chat"], messages=note)], intros={iid: intro})


def volunteer(ctx: Context) -> Result:
    if not ctx.consent.get("current"):
        return consent.ask(ctx, "volunteer")
    profile = dict(ctx.profile or {"v": 1})
    profile["volunteer"] = {"at": ctx.now.isoformat(), "status": "pending"}
    who = f"{profile.get('business_name', '-')} ({profile.get('province', '-')})"
    alert = Text(ctx.t("mentor.staff_volunteer", "th", who=who))
    return Result(
        [ctx.text("mentor.volunteer")],
        after_answer(ctx, "status", "human"),
        profile=profile,
        pushes=[Push(to=s, messages=(alert,)) for s in sorted(ctx.staff)],
    )
