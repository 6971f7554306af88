"""Staff commands (only for STAFF_USER_IDS), typed or tapped:

- "ปิดเรื่อง <case>": close a handoff case; the bot answers that user again.
- "ยืนยันผู้เข้าร่วม <registration>": a registration becomes a confirmed participant (KPIs).
- "สร้างกลุ่ม <name>": record a cluster/group staff formed (KPIs count only these).
- "อนุมัติ <intro>" / "ปฏิเสธ <intro>": decide a Big Brother introduction.
"""

from __future__ import annotations

import hashlib
import re

from handlers.base import Context, Push, Result, Text

COMMANDS = [
    ("close", re.compile(r"^\s*(?:ปิดเรื่อง|ปิดเคส|close)\s*#?\s*([0-9a-fA-F]{6})\s*$", re.I)),
    ("confirm", re.compile(r"^\s*(?:ยืนยันผู้เข้าร่วม|confirm participant)\s*#?\s*(R[0-9A-F]{6})\s*$", re.I)),
    ("group", re.compile(r"^\s*(?:สร้างกลุ่ม|create group)\s+(.{2,80})$", re.I)),
    ("approve", re.compile(r"^\s*(?:อนุมัติ|approve)\s*#?\s*(M[0-9A-F]{6})\s*$", re.I)),
    ("decline", re.compile(r"^\s*(?:ปฏิเสธ|decline)\s*#?\s*(M[0-9A-F]{6})\s*$", re.I)),
]


def match(text: str) -> tuple[str, str] | None:
    for name, pattern in COMMANDS:
        if m := pattern.match(text):
            arg = m.group(1).strip()
            return name, arg if name == "group" else arg.upper()
    return None


def close(ctx: Context) -> Result:
    case = ctx.extra["arg"]
    record = ctx.extra.get("record")
    if record is None:
        return Result([ctx.text("human.unknown_case", case=case)])
    notice = Text(ctx.t("human.closed_user", record.get("lang", "th")))
    return Result(
        [ctx.text("human.closed_staff", case=case)],
        pushes=[Push(to=record["chat_id"], messages=(notice,))],
        cases={case: None},
        release=[record["chat_id"]],
    )


def confirm(ctx: Context) -> Result:
    lead_id, found = ctx.extra["arg"], ctx.extra.get("record")
    if found is None:
        return Result([ctx.text("staff.unknown_lead", id=lead_id)])
    _lead, user = found
    notice = Text(ctx.t("staff.confirmed_user", user.get("lang", "th"), id=lead_id))
    return Result(
        [ctx.text("staff.confirmed", id=lead_id)],
        pushes=[Push(to=user["id"], messages=(notice,))],
        lead_status={lead_id: "confirmed"},
    )


def group(ctx: Context) -> Result:
    name = ctx.extra["arg"]
    province = ctx.ents.province(name)
    center = ctx.data.center_of[province].id if province else None
    gid = "G" + hashlib.sha256(f"{name}{ctx.now}".encode()).hexdigest()[:6].upper()
    record = {
        "v": 1,
        "id": gid,
        "name": name,
        "track": ctx.ents.extract(name).track,
        "province": province,
        "center": center,
        "at": ctx.now.isoformat(),
    }
    return Result([ctx.text("staff.group_created", id=gid, name=name)], groups=[record])
