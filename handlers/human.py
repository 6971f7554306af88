"""Human handoff: the bot goes quiet for this user until staff close the case or 24 h pass.

Staff in STAFF_USER_IDS get a push with the request and a quick reply that closes the case;
typing "ปิดเรื่อง <case>" does the same (LINE for PC shows no quick replies).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from handlers.base import Choice, Context, Message, Push, Result, Text
from handlers.menu import main_menu

HANDOFF_HOURS = 24
OFFICE_START, OFFICE_END = (8, 30), (16, 30)


def handle(ctx: Context) -> Result:
    active = ctx.state.get("handoff")
    if active and active.get("until", "") > ctx.now.isoformat():
        return Result([ctx.text("human.already", case=active["case"])], [ctx.choice("back_to_bot")])
    case = case_id(ctx.incoming.event_id or ctx.now.isoformat())
    until = ctx.now + timedelta(hours=HANDOFF_HOURS)
    hours = ctx.data.hq.office_hours_en if ctx.lang == "en" else ctx.data.hq.office_hours_th
    messages: list[Message] = [ctx.text("human.opened", hours=hours, case=case)]
    if not in_office_hours(ctx):
        messages.append(ctx.text("human.after_hours"))
    request = (ctx.incoming.text or "-")[:300]
    alert = Text(ctx.t("human.staff_alert", "th", case=case, request=request))
    close = ctx.t("human.staff_close_label", "th", case=case)
    pushes = [Push(to=s, messages=(alert,), choices=(Choice(close[:20], close),)) for s in sorted(ctx.staff)]
    state = {k: v for k, v in ctx.state.items() if k not in ("prompt", "form")}
    state["handoff"] = {"case": case, "until": until.isoformat()}
    record = {"v": 1, "chat_id": ctx.incoming.chat_id, "opened": ctx.now.isoformat(), "lang": ctx.lang}
    return Result(messages, [ctx.choice("back_to_bot")], state=state, pushes=pushes, cases={case: record})


def case_id(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:6].upper()


def in_office_hours(ctx: Context) -> bool:
    now = ctx.now
    return now.weekday() < 5 and OFFICE_START <= (now.hour, now.minute) < OFFICE_END


def back_to_bot(ctx: Context) -> Result:
    """ "กลับไปคุยกับบอท": the user ends the handoff themselves."""
    active = ctx.state.get("handoff")
    state = {k: v for k, v in ctx.state.items() if k != "handoff"}
    cases: dict[str, dict[str, Any] | None] = {active["case"]: None} if active else {}
    return Result([ctx.text("human.back_to_bot")], main_menu(ctx), state=state, cases=cases)
