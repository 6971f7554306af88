"""Privacy: what is kept and how to ask for deletion; "ข้อมูลของฉัน"; "ลบข้อมูล" with a confirmation.

The consent ledger, export and full erasure across every key come with the PDPA issue.
"""

from __future__ import annotations

from bot.ids import mask
from handlers.base import Context, Result
from handlers.menu import after_answer


def handle(ctx: Context) -> Result:
    action = ctx.extra.get("privacy")
    if action == "mydata":
        return Result([_mydata(ctx)], after_answer(ctx, "privacy"))
    if action == "erase":
        state = {**ctx.state, "prompt": {"kind": "erase"}}
        return Result([ctx.text("privacy.erase_ask")], [ctx.choice("erase_confirm"), ctx.choice("cancel")], state=state)
    if action == "erase_confirmed":
        return Result([ctx.text("privacy.erased")], erase=True, state={})
    return Result([ctx.text("privacy.notice")], after_answer(ctx, "mydata"))


def _mydata(ctx: Context):
    yes, no = ctx.say("privacy.answer_yes"), ctx.say("privacy.answer_no")
    handoff = ctx.state.get("handoff")
    return ctx.text(
        "privacy.mydata",
        user=mask(ctx.incoming.user_id),
        following=yes if ctx.user.get("following", True) else no,
        subscribed=no if ctx.user.get("opted_out") else yes,
        language="English" if ctx.lang == "en" else "ไทย",
        handoff=handoff["case"] if handoff else ctx.say("privacy.none"),
        profile=ctx.say("privacy.none"),
    )
