"""Privacy: the notice; "ข้อมูลของฉัน" (everything kept, readable) and its JSON export;
"ลบข้อมูล" (erasure) and "ถอนความยินยอม" (withdrawal), each after a typed confirmation."""

from __future__ import annotations

from typing import Any

from bot.ids import mask
from handlers import consent
from handlers.base import Context, Result, Text
from handlers.menu import after_answer


def handle(ctx: Context) -> Result:
    action = ctx.extra.get("privacy")
    if action == "mydata":
        return Result([_mydata(ctx)], after_answer(ctx, "export", "erase"))
    if action == "export":
        return Result([], after_answer(ctx, "erase"), export=True)
    if action == "erase":
        state = {**ctx.state, "prompt": {"kind": "erase"}}
        return Result([ctx.text("privacy.erase_ask")], [ctx.choice("erase_confirm"), ctx.choice("cancel")], state=state)
    if action == "erase_confirmed":
        return Result([ctx.text("privacy.erased")], erase=True, state={})
    if action == "withdraw":
        state = {**ctx.state, "prompt": {"kind": "withdraw"}}
        return Result(
            [ctx.text("privacy.withdraw_ask")], [ctx.choice("withdraw_confirm"), ctx.choice("cancel")], state=state
        )
    if action == "withdraw_confirmed":
        state = {k: v for k, v in ctx.state.items() if k not in ("prompt", "form")}
        return Result(
            [ctx.text("privacy.withdrawn")],
            after_answer(ctx, "agro", "creative", "smart"),
            state=state,
            withdraw=True,
            consent=[consent.entry(ctx, "withdrawn")],
        )
    return Result([Text(ctx.notice.text("full", ctx.lang))], after_answer(ctx, "mydata", "withdraw", "erase"))


def _mydata(ctx: Context) -> Text:
    """What is kept, in readable Thai, short enough for one message (the export has it all)."""
    data: dict[str, Any] = ctx.extra.get("mydata") or {}
    yes, no = ctx.say("privacy.answer_yes"), ctx.say("privacy.answer_no")
    handoff = ctx.state.get("handoff")
    lines = [
        ctx.say(
            "privacy.mydata",
            user=mask(ctx.incoming.user_id),
            following=yes if ctx.user.get("following", True) else no,
            subscribed=no if ctx.user.get("opted_out") else yes,
            language="English" if ctx.lang == "en" else "ไทย",
            handoff=handoff["case"] if handoff else ctx.say("privacy.none"),
            profile=_profile(ctx),
        )
    ]
    lines.append(ctx.say("privacy.consent_line", consent=_consent(ctx)))
    lines.append(
        ctx.say(
            "privacy.mydata_counts",
            leads=len(data.get("registrations") or []),
            draft=yes if data.get("registration_draft") else no,
            messages=len(data.get("messages") or []),
        )
    )
    lines.append(ctx.say("privacy.mydata_more"))
    return Text("\n".join(lines))


def _profile(ctx: Context) -> str:
    from handlers.form import FIELDS, show

    p = ctx.profile or {}
    shown = [f"{ctx.say(f'form.label.{f}')} {show(ctx, f, p[f])}" for f in FIELDS if f in p]
    return ", ".join(shown) or ctx.say("privacy.none")


def _consent(ctx: Context) -> str:
    c = ctx.consent
    if c.get("current"):
        return ctx.say("privacy.consent_current", version=c.get("version"))
    if c.get("action") == "granted":
        return ctx.say("privacy.consent_old")
    return ctx.say(
        {"refused": "privacy.consent_refused", "withdrawn": "privacy.consent_withdrawn"}.get(
            str(c.get("action")), "privacy.consent_none"
        )
    )
