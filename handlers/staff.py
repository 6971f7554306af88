"""Staff commands (only for STAFF_USER_IDS): close a handoff case."""

from __future__ import annotations

import re

from handlers.base import Context, Push, Result, Text

CLOSE = re.compile(r"^\s*(?:ปิดเรื่อง|ปิดเคส|close)\s*#?\s*([0-9a-fA-F]{6})\s*$", re.I)


def match(text: str) -> str | None:
    m = CLOSE.match(text)
    return m.group(1).upper() if m else None


def handle(ctx: Context) -> Result:
    case = ctx.extra["case"]
    record = ctx.extra.get("case_record")
    if record is None:
        return Result([ctx.text("human.unknown_case", case=case)])
    notice = Text(ctx.t("human.closed_user", record.get("lang", "th")))
    return Result(
        [ctx.text("human.closed_staff", case=case)],
        pushes=[Push(to=record["chat_id"], messages=(notice,))],
        cases={case: None},
        release=[record["chat_id"]],
    )
