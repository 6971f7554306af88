"""How to register; "สมัคร" starts the form (consent first); "สมัครต่อ" resumes a draft;
"สถานะของฉัน" shows where the user's registrations and mentor requests stand."""

from __future__ import annotations

from typing import Any

from domain import form_view
from domain.cards import day
from domain.context import Context, Result
from domain.effects import ContinueWith
from domain.form import FIELDS, missing
from domain.menus import after_answer
from domain.replies import Text
from domain.routes import Route


def how(ctx: Context) -> Result:
    return Result([ctx.text("register.how")], [ctx.choice("start"), *after_answer(ctx, "agro", "creative", "smart")])


def start(ctx: Context) -> Result:
    """Consent first, then the first missing field (a draft, the profile or this message fill the rest)."""
    if not ctx.consent.get("current"):
        return Result(effects=[ContinueWith(Route("consent.ask", {"then": ctx.route.to_json()}))])
    fields = dict((ctx.draft or {}).get("fields") or {})
    resumed = bool(fields)
    for key, value in _prefill(ctx).items():
        fields.setdefault(key, value)
    done = len(FIELDS) - len(missing(fields))
    intro = ctx.text("form.resumed", done=done, total=len(FIELDS)) if resumed else ctx.text("form.intro")
    return form_view.next_step(ctx, fields, [intro])


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
    lines: list[str] = []
    for lead in ctx.leads:
        center = ctx.catalog.center_of.get(lead["fields"].get("province", ""))
        lines.append(
            ctx.say(
                "status.lead",
                id=lead["id"],
                date=day(ctx, lead["at"]),
                status=ctx.say(f"status.{lead.get('status', 'submitted')}"),
                center=(center.short_en if ctx.lang == "en" else center.short_th) if center else "-",
            )
        )
    for req in (ctx.profile or {}).get("mentor_requests", []):
        lines.append(ctx.say("status.mentor", date=day(ctx, req["at"]), status=ctx.say(f"status.{req['status']}")))
    if ctx.draft and ctx.draft.get("fields"):
        done = len(FIELDS) - len(missing(ctx.draft["fields"]))
        lines.append(ctx.say("status.draft", done=done, total=len(FIELDS)))
    if not lines:
        return Result([ctx.text("register.status_none")], [ctx.choice("start"), *after_answer(ctx, "contact")])
    return Result([Text("\n".join([ctx.say("status.title"), *lines]))], after_answer(ctx, "mentor_request", "contact"))
