"""Privacy: the notice; "ข้อมูลของฉัน" (everything kept, readable) and its JSON export;
"ลบข้อมูล" (erasure) and "ถอนความยินยอม" (withdrawal), each after a typed confirmation."""

from __future__ import annotations

from typing import Any

from domain.context import Context, Result
from domain.effects import AppendConsent, Erase, Export, Withdraw
from domain.form import FIELDS, show
from domain.menus import after_answer
from domain.privacy import consent_entry
from domain.prompts import Confirm
from domain.replies import Text
from domain.state import ConversationState


def notice(ctx: Context) -> Result:
    return Result([Text(ctx.notice.text("full", ctx.lang))], after_answer(ctx, "mydata", "withdraw", "erase"))


def mydata(ctx: Context) -> Result:
    return Result([_mydata(ctx)], after_answer(ctx, "export", "erase"))


def export(ctx: Context) -> Result:
    return Result([], after_answer(ctx, "erase"), effects=[Export()])


def erase(ctx: Context) -> Result:
    state = ctx.keep(prompt=Confirm(action="erase"))
    return Result([ctx.text("privacy.erase_ask")], [ctx.choice("erase_confirm"), ctx.choice("cancel")], state=state)


def erase_confirmed(ctx: Context) -> Result:
    return Result([ctx.text("privacy.erased")], state=ConversationState(), effects=[Erase()])


def withdraw(ctx: Context) -> Result:
    state = ctx.keep(prompt=Confirm(action="withdraw"))
    return Result(
        [ctx.text("privacy.withdraw_ask")], [ctx.choice("withdraw_confirm"), ctx.choice("cancel")], state=state
    )


def withdraw_confirmed(ctx: Context) -> Result:
    return Result(
        [ctx.text("privacy.withdrawn")],
        after_answer(ctx, "agro", "creative", "smart"),
        state=ctx.keep(form=None),
        effects=[Withdraw(), AppendConsent(consent_entry(ctx.notice, ctx.now.isoformat(), "withdrawn"))],
    )


def _mydata(ctx: Context) -> Text:
    """What is kept, in readable Thai, short enough for one message (the export has it all)."""
    data: dict[str, Any] = ctx.lookups.mydata()
    yes, no = ctx.say("privacy.answer_yes"), ctx.say("privacy.answer_no")
    handoff = ctx.state.handoff
    lines = [
        ctx.say(
            "privacy.mydata",
            user=_mask(ctx.incoming.user_id),
            following=yes if ctx.user.get("following", True) else no,
            subscribed=no if ctx.user.get("opted_out") else yes,
            language="English" if ctx.lang == "en" else "ไทย",
            handoff=handoff.case if handoff else ctx.say("privacy.none"),
            profile=_profile(ctx),
        ),
        ctx.say("privacy.consent_line", consent=_consent(ctx)),
        ctx.say(
            "privacy.mydata_counts",
            leads=len(data.get("registrations") or []),
            draft=yes if data.get("registration_draft") else no,
            messages=len(data.get("messages") or []),
        ),
        ctx.say("privacy.mydata_more"),
    ]
    return Text("\n".join(lines))


def _mask(user_id: str | None) -> str:
    return f"{user_id[:3]}…{user_id[-4:]}" if user_id and len(user_id) > 8 else "-"


def _profile(ctx: Context) -> str:
    p = ctx.profile or {}
    shown = [f"{ctx.say(f'form.label.{f}')} {show(ctx.say, ctx.lang, ctx.catalog, f, p[f])}" for f in FIELDS if f in p]
    return ", ".join(shown) or ctx.say("privacy.none")


def _consent(ctx: Context) -> str:
    c = ctx.consent
    if c.get("current"):
        return ctx.say("privacy.consent_current", version=c.get("version"))
    if c.get("action") == "granted":
        return ctx.say("privacy.consent_old")
    keys = {"refused": "privacy.consent_refused", "withdrawn": "privacy.consent_withdrawn"}
    return ctx.say(keys.get(str(c.get("action")), "privacy.consent_none"))
