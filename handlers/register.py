"""How to register; "สมัคร" starts the form (consent first); "สมัครต่อ" resumes a draft;
"สถานะของฉัน" / "ทำไมยังไม่มีใครโทรมา" shows where the user's registrations and mentor requests
stand and, past the agency's response time, opens a follow-up case for the center."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import followup, form_view
from domain.cards import day
from domain.context import Context, Result
from domain.effects import ContinueWith, Effect, OpenCase, SaveProfile, SendPush, SetLeadStatus, StartedFor
from domain.form import FIELDS, missing
from domain.ids import new_id
from domain.menus import after_answer
from domain.replies import Message, Push, Text
from domain.routes import Route


def how(ctx: Context) -> Result:
    return Result([ctx.text("register.how")], [ctx.choice("start"), *after_answer(ctx, "agro", "creative", "smart")])


def start(ctx: Context) -> Result:
    """Consent first, then the first missing field (a draft, the profile or this message fill the rest);
    a program named by the route joins the user's interests."""
    counted: list[Effect] = [StartedFor(ctx.args["program"])] if ctx.catalog.program(ctx.args.get("program")) else []
    if not ctx.consent.get("current"):
        return Result(effects=[*counted, ContinueWith(Route("consent.ask", {"then": ctx.route.to_json()}))])
    fields = dict((ctx.draft or {}).get("fields") or {})
    resumed = bool(fields)
    for key, value in _prefill(ctx).items():
        fields.setdefault(key, value)
    done = len(FIELDS) - len(missing(fields))
    intro = ctx.text("form.resumed", done=done, total=len(FIELDS)) if resumed else ctx.text("form.intro")
    result = form_view.next_step(ctx, fields, [intro])
    result.effects[0:0] = [*counted, *_interest(ctx)]
    return result


def _interest(ctx: Context) -> list[Effect]:
    """A registration naming a program (its card's "สนใจสมัคร") adds it to the user's interests,
    once, with consent current: until they apply, a deadline reminder may follow."""
    program = ctx.catalog.program(ctx.args.get("program"))
    interests = list((ctx.profile or {}).get("interests") or [])
    if program is None or program.id in interests or ctx.incoming.in_group:
        return []
    return [SaveProfile({"v": 1, **(ctx.profile or {}), "interests": [*interests, program.id]})]


def resume(ctx: Context) -> Result:
    """ "สมัครต่อ" / "ทำต่อ": the draft where it was left (a new form when there is none)."""
    return start(ctx)


def _prefill(ctx: Context) -> dict[str, Any]:
    """From the profile (an earlier registration) and what this message already said."""
    out = {f: v for f, v in (ctx.profile or {}).items() if f in FIELDS}
    e = ctx.entities
    for field, value in (("province", e.province), ("employees", e.employees), ("track", e.track)):
        if value is not None:
            out.setdefault(field, value)
    return out


def status(ctx: Context) -> Result:
    """Where each registration and mentor request stands, with its age; past the stated response
    time, a follow-up case for the center's staff (once per item), and who will call."""
    waited = {w.id: w for w in followup.waiting(ctx)}
    lines: list[str] = []
    for lead in ctx.leads:
        center = ctx.catalog.center_of.get(lead["fields"].get("province", ""))
        program = ctx.catalog.program(lead.get("program"))
        lines.append(
            ctx.say(
                "status.lead",
                id=lead["id"],
                date=day(ctx, lead["at"]),
                status=ctx.say(f"status.{lead.get('status', 'submitted')}"),
                center=(center.short_en if ctx.lang == "en" else center.short_th) if center else "-",
            )
            + (f" · {ctx.name(program)}" if program else "")
            + _age(ctx, waited.get(lead["id"]))
        )
    for req in (ctx.profile or {}).get("mentor_requests", []):
        line = ctx.say("status.mentor", date=day(ctx, req["at"]), status=ctx.say(f"status.{req['status']}"))
        lines.append(line + _age(ctx, waited.get(req.get("id", ""))))
    if ctx.draft and ctx.draft.get("fields"):
        done = len(FIELDS) - len(missing(ctx.draft["fields"]))
        lines.append(ctx.say("status.draft", done=done, total=len(FIELDS)))
    if not lines:
        return Result([ctx.text("register.status_none")], [ctx.choice("start"), *after_answer(ctx, "contact")])
    messages: list[Message] = [Text("\n".join([ctx.say("status.title"), *lines]))]
    effects: list[Effect] = []
    late = [w for w in waited.values() if w.late and not w.followed]
    followed = sorted({w.followed for w in waited.values() if w.followed})
    center = _center(ctx)
    whom = ctx.name(center) if center else ctx.say("detail.whom_unknown")
    if late:
        case = new_id("C", ctx.incoming.event_id or ctx.now.isoformat())
        record = followup.case_record(ctx, late, center)
        effects += [OpenCase(case, record), *_mark(ctx, late, case), *_alert(ctx, case, record, whom)]
        messages.append(
            ctx.text("status.escalated", days=ctx.catalog.calendar.response_working_days, case=case, whom=whom)
        )
    elif followed:
        messages.append(ctx.text("status.followed", case=", ".join(followed), whom=whom))
    elif waited:
        due = ctx.catalog.calendar.due(datetime.fromisoformat(min(w.at for w in waited.values())).date())
        messages.append(
            ctx.text("status.expect", days=ctx.catalog.calendar.response_working_days, date=day(ctx, due), whom=whom)
        )
    return Result(messages, after_answer(ctx, "mentor_request", "contact"), effects=effects)


def _age(ctx: Context, w: followup.Waiting | None) -> str:
    return ctx.say("status.age", days=w.days) if w else ""


def _center(ctx: Context) -> Any:
    for lead in reversed(ctx.leads):
        if c := ctx.catalog.center_of.get(lead["fields"].get("province", "")):
            return c
    return ctx.catalog.center_of.get((ctx.profile or {}).get("province", ""))


def _mark(ctx: Context, late: list[followup.Waiting], case: str) -> list[Effect]:
    """Each late item remembers its follow-up case, so asking again does not open another."""
    out: list[Effect] = []
    for w in late:
        if w.kind == "lead":
            status = next((x.get("status", "submitted") for x in ctx.leads if x["id"] == w.id), "submitted")
            out.append(SetLeadStatus(w.id, status, at=ctx.now.isoformat(), extra={"followup": case}))
    ids = {w.id for w in late if w.kind == "mentor"}
    if ids and ctx.profile:
        reqs = [{**r, "followup": case} if r.get("id") in ids else r for r in ctx.profile.get("mentor_requests", [])]
        out.append(SaveProfile({**ctx.profile, "mentor_requests": reqs}))
    return out


def _alert(ctx: Context, case: str, record: dict[str, Any], whom: str) -> list[Effect]:
    text = Text(ctx.t("status.staff_alert", "th", case=case, center=whom, context=record["context"]))
    return [SendPush(Push(to=s, messages=(text,))) for s in sorted(ctx.staff)]
