"""How to register; "สมัคร" starts the form (consent first); "สถานะของฉัน" shows where
the user's registrations and mentor requests stand."""

from __future__ import annotations

from datetime import datetime

from bot.clock import thai_date
from handlers import form
from handlers.base import Context, Result, Text
from handlers.menu import after_answer


def handle(ctx: Context) -> Result:
    if ctx.extra.get("status"):
        return status(ctx)
    if ctx.extra.get("start"):
        return form.start(ctx)
    return Result([ctx.text("register.how")], [ctx.choice("start"), *after_answer(ctx, "agro", "creative", "smart")])


def status(ctx: Context) -> Result:
    lines: list[str] = []
    for lead in ctx.leads:
        center = ctx.data.center_of.get(lead["fields"].get("province", ""))
        lines.append(
            ctx.say(
                "status.lead",
                id=lead["id"],
                date=_date(ctx, lead["at"]),
                status=ctx.say(f"status.{lead.get('status', 'submitted')}"),
                center=(center.short_en if ctx.lang == "en" else center.short_th) if center else "-",
            )
        )
    for req in (ctx.profile or {}).get("mentor_requests", []):
        lines.append(ctx.say("status.mentor", date=_date(ctx, req["at"]), status=ctx.say(f"status.{req['status']}")))
    if ctx.draft and ctx.draft.get("fields"):
        done = len(form.FIELDS) - len(form.missing(ctx.draft["fields"]))
        lines.append(ctx.say("status.draft", done=done, total=len(form.FIELDS)))
    if not lines:
        return Result([ctx.text("register.status_none")], [ctx.choice("start"), *after_answer(ctx, "contact")])
    return Result([Text("\n".join([ctx.say("status.title"), *lines]))], after_answer(ctx, "mentor", "contact"))


def _date(ctx: Context, iso: str) -> str:
    d = datetime.fromisoformat(iso)
    return thai_date(d) if ctx.lang == "th" else d.strftime("%-d %b %Y")
