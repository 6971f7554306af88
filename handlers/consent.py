"""Consent, asked when a personal flow starts (registering, asking for a mentor).

Both answers are typed words too (ยินยอม / ไม่ยินยอม, agree / disagree): quick replies do
not show in LINE for PC. A refusal keeps every public answer and is asked again only when the
user starts a personal flow again.
"""

from __future__ import annotations

from typing import Any

from handlers.base import Context, Result, Text
from handlers.menu import after_answer

YES = {"ยินยอม", "ยอมรับ", "ตกลง", "agree", "iagree", "yes", "ok", "โอเค", "ได้"}
NO = {"ไม่ยินยอม", "ไม่ยอมรับ", "ไม่ตกลง", "disagree", "no", "ไม่", "ไม่ได้"}


def ask(ctx: Context, then: str) -> Result:
    """Show the short consent text and wait for a yes or no; `then` is the flow to resume."""
    state = {**ctx.state, "prompt": {"kind": "consent", "then": then}}
    return Result(
        [Text(ctx.notice.text("consent", ctx.lang))], [ctx.choice("consent_yes"), ctx.choice("consent_no")], state=state
    )


def entry(ctx: Context, action: str) -> dict[str, Any]:
    return {
        "v": 1,
        "purpose": ctx.notice.purpose,
        "version": ctx.notice.version,
        "action": action,
        "at": ctx.now.isoformat(),
        "channel": "line",
    }


def refused(ctx: Context) -> Result:
    return Result(
        [ctx.text("consent.refused")],
        after_answer(ctx, "agro", "creative", "smart", "contact"),
        consent=[entry(ctx, "refused")],
    )


def granted(ctx: Context) -> Result:
    """ยินยอม: record it, then carry on with the flow that asked (register or mentor)."""
    from handlers import form, mentor

    then = ctx.extra.get("then", "register")
    ctx.consent = {"current": True, "action": "granted", "version": ctx.notice.version}
    flows = {"mentor": mentor.request, "volunteer": mentor.volunteer}
    result = flows.get(then, form.start)(ctx)
    result.messages.insert(0, ctx.text("consent.granted"))
    result.consent.insert(0, entry(ctx, "granted"))
    return result
