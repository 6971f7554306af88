"""Consent, asked when a personal flow starts (registering, asking for a mentor, volunteering).

Both answers are typed words too (ยินยอม / ไม่ยินยอม, agree / disagree): quick replies do not
show in LINE for PC. A refusal keeps every public answer and is asked again only when the user
starts a personal flow again. Granted, the flow that asked carries on in the same turn.
"""

from __future__ import annotations

from typing import Any

from domain.context import Context, Result
from domain.effects import AppendConsent, ContinueWith
from domain.menus import after_answer
from domain.privacy import consent_entry
from domain.prompts import Consent
from domain.replies import Text
from domain.routes import Route


def ask(ctx: Context) -> Result:
    then = Route.from_json(ctx.args.get("then") or "register.start")
    return Result(
        [Text(ctx.notice.text("consent", ctx.lang))],
        [ctx.choice("consent_yes"), ctx.choice("consent_no")],
        state=ctx.keep(prompt=Consent(then=then)),
    )


def entry(ctx: Context, action: str) -> dict[str, Any]:
    return consent_entry(ctx.notice, ctx.now.isoformat(), action)


def refused(ctx: Context) -> Result:
    return Result(
        [ctx.text("consent.refused")],
        after_answer(ctx, "agro", "creative", "smart", "contact"),
        effects=[AppendConsent(entry(ctx, "refused"))],
    )


def granted(ctx: Context) -> Result:
    then = Route.from_json(ctx.args.get("then") or "register.start")
    return Result(
        [ctx.text("consent.granted")],
        effects=[AppendConsent(entry(ctx, "granted")), ContinueWith(then)],
    )
