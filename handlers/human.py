"""Human handoff: the bot goes quiet for this user until staff close the case or 24 h pass.

It starts only on a clear request (a typed command, or the classifier sure enough: the router
decides); otherwise the bot asks first. Staff in STAFF_USER_IDS get a push with the request and
a quick reply that closes the case; typing "ปิดเรื่อง <case>" does the same (LINE for PC).
The case itself stays open until staff resolve it (the console's inbox, bot/console/handoffs.py,
lists it, oldest first): asking again after the 24 h comes back to the same case. Its record holds
no message text, only the intent that was detected (the texts are personal data, ARCHITECTURE.md).
"""

from __future__ import annotations

from datetime import timedelta

from domain.context import Context, Result
from domain.effects import CloseCase, Effect, OpenCase, SendPush
from domain.ids import new_id
from domain.menus import main_menu
from domain.prompts import Handoff as HandoffPrompt
from domain.replies import Choice, Message, Push, Text
from domain.state import Handoff

HANDOFF_HOURS = 24
OFFICE_START, OFFICE_END = (8, 30), (16, 30)


def ask(ctx: Context) -> Result:
    """Not sure the user wants a person: ask, a yes (typed or tapped) opens the case."""
    text = str(ctx.args.get("text") or ctx.incoming.text)[:300]
    state = ctx.keep(prompt=HandoffPrompt(text=text))
    return Result([ctx.text("human.ask")], [ctx.choice("human"), ctx.choice("no_thanks")], state=state)


def declined(ctx: Context) -> Result:
    return Result([ctx.text("human.declined")], main_menu(ctx))


def open_case(ctx: Context) -> Result:
    active = ctx.state.handoff
    until = ctx.now + timedelta(hours=HANDOFF_HOURS)
    if active and active.active(ctx.now):
        return Result([ctx.text("human.already", case=active.case)], [ctx.choice("back_to_bot")])
    if active and ctx.lookups.case(active.case) is not None:  # still open: quiet again, the same case
        again = ctx.keep(handoff=Handoff(case=active.case, until=until.isoformat()))
        return Result([ctx.text("human.already", case=active.case)], [ctx.choice("back_to_bot")], state=again)
    case = new_id("C", ctx.incoming.event_id or ctx.now.isoformat())
    hq = ctx.catalog.hq
    messages: list[Message] = [
        ctx.text("human.opened", hours=hq.office_hours_en if ctx.lang == "en" else hq.office_hours_th, case=case)
    ]
    if not in_office_hours(ctx):
        messages.append(ctx.text("human.after_hours"))
    request = str(ctx.args.get("text") or ctx.incoming.text or "-")[:300]
    alert = Text(ctx.t("human.staff_alert", "th", case=case, request=request))
    close = ctx.t("human.staff_close_label", "th", case=case)
    button = Choice(ctx.t("choice.close_case", "th"), close)
    pushes = [SendPush(Push(to=s, messages=(alert,), choices=(button,))) for s in sorted(ctx.staff)]
    state = ctx.keep(handoff=Handoff(case=case, until=until.isoformat()))
    intent = ctx.nlu.intent if ctx.nlu is not None else "human"  # a command or a confirming tap: "human"
    record = {"v": 1, "kind": "handoff", "chat_id": ctx.incoming.chat_id, "opened": ctx.now.isoformat(),
              "lang": ctx.lang, "intent": intent}  # fmt: skip
    return Result(messages, [ctx.choice("back_to_bot")], state=state, effects=[OpenCase(case, record), *pushes])


def in_office_hours(ctx: Context) -> bool:
    now = ctx.now
    return now.weekday() < 5 and OFFICE_START <= (now.hour, now.minute) < OFFICE_END


def back_to_bot(ctx: Context) -> Result:
    """ "กลับไปคุยกับบอท": the user ends the handoff themselves."""
    active = ctx.state.handoff
    effects: list[Effect] = [CloseCase(active.case)] if active else []
    return Result([ctx.text("human.back_to_bot")], main_menu(ctx), state=ctx.keep(handoff=None), effects=effects)
