"""Typed commands: global ones (valid anywhere), exact rules, quick-reply taps, staff commands.

Keys are `nlp.normalize.command_key()`s: lower case, no spaces, punctuation or particles.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from domain.ids import typed
from domain.routes import Route

# Typed or tapped, valid anywhere, also mid-form and during a handoff (router step 2).
GLOBAL: dict[str, Route] = {
    "ยกเลิก": Route("cancel"),
    "cancel": Route("cancel"),
    "เมนู": Route("help"),
    "เมนูหลัก": Route("help"),
    "menu": Route("help"),
    "ลบข้อมูล": Route("privacy.erase"),
    "deletemydata": Route("privacy.erase"),
    "ข้อมูลของฉัน": Route("privacy.mydata"),
    "mydata": Route("privacy.mydata"),
    "คุยกับเจ้าหน้าที่": Route("human.open"),
    "talktostaff": Route("human.open"),
    "กลับไปคุยกับบอท": Route("back_to_bot"),
    "backtobot": Route("back_to_bot"),
    "ถอนความยินยอม": Route("privacy.withdraw"),
    "withdrawconsent": Route("privacy.withdraw"),
    "ขอไฟล์ข้อมูล": Route("privacy.export"),
    "downloadmydata": Route("privacy.export"),
}
# Long commands people mistype ("กลับไปคุยกับบอด", "กลับไปคุยบอท"): matched within a small distance.
FUZZY = ("กลับไปคุยกับบอท", "คุยกับเจ้าหน้าที่", "ถอนความยินยอม", "ข้อมูลของฉัน", "ขอไฟล์ข้อมูล")

# Exact rules (router step 6).
RULES: dict[str, Route] = {
    "ก": Route("program.track", {"track": "agro"}),
    "ส": Route("program.track", {"track": "creative"}),
    "อ": Route("program.track", {"track": "smart"}),
    "สถานะของฉัน": Route("register.status"),
    "mystatus": Route("register.status"),
    "ยกเลิกรับข่าวสาร": Route("unsubscribe"),
    "หยุดรับข่าวสาร": Route("unsubscribe"),
    "unsubscribe": Route("unsubscribe"),
    "รับข่าวสาร": Route("unsubscribe.resume"),
    "subscribe": Route("unsubscribe.resume"),
    "ข้อมูลส่วนบุคคล": Route("privacy"),
    "personaldata": Route("privacy"),
    "อยากเป็นพี่เลี้ยง": Route("mentor.volunteer"),
    "becomeamentor": Route("mentor.volunteer"),
    "สมัคร": Route("register.start"),
    "เริ่มสมัคร": Route("register.start"),
    "สมัครเลย": Route("register.start"),
    "apply": Route("register.start"),
    "สมัครต่อ": Route("register.resume"),
    "ทำต่อ": Route("register.resume"),
    "continue": Route("register.resume"),
    "ขอพี่เลี้ยง": Route("mentor.request"),
    "โครงการที่เหมาะกับฉัน": Route("recommend"),
    "โครงการที่เหมาะ": Route("recommend"),
    "แนะนำโครงการ": Route("recommend"),
    "programsforme": Route("recommend"),
}
# Quick-reply items send their label (config/texts choice.*): a tap routes exactly, in Thai or English.
CHOICE_ROUTES: dict[str, Route] = {
    "agro": RULES["ก"],
    "creative": RULES["ส"],
    "smart": RULES["อ"],
    "mentor": Route("mentor"),
    "register": Route("register"),
    "funding": Route("funding"),
    "contact": Route("contact"),
    "human": Route("human.open"),
    "menu": Route("help"),
    "cancel": Route("cancel"),
    "status": Route("register.status"),
    "privacy": Route("privacy"),
    "mydata": Route("privacy.mydata"),
    "resubscribe": Route("unsubscribe.resume"),
    "unsubscribe": Route("unsubscribe"),
    "back_to_bot": Route("back_to_bot"),
    "volunteer": Route("mentor.volunteer"),
    "start": Route("register.start"),
    "resume": Route("register.resume"),
    "mentor_request": Route("mentor.request"),
    "export": Route("privacy.export"),
    "withdraw": Route("privacy.withdraw"),
    "erase": Route("privacy.erase"),
    "recommend": Route("recommend"),
}

# Staff commands (router step 5, only for STAFF_USER_IDS). IDs: see domain/ids.py.
ID = r"#?\s*([0-9A-Za-z][0-9A-Za-z -]{3,24})"
STAFF: list[tuple[str, re.Pattern[str]]] = [
    ("staff.close", re.compile(rf"^\s*(?:ปิดเรื่อง|ปิดเคส|close)\s*{ID}\s*$", re.I)),
    ("staff.confirm", re.compile(rf"^\s*(?:ยืนยันผู้เข้าร่วม|confirm participant)\s*{ID}\s*$", re.I)),
    ("staff.announce", re.compile(r"^\s*(ประกาศ|announce)\s*$", re.I)),
    ("staff.contacted", re.compile(rf"^\s*(?:ติดต่อแล้ว|contacted)\s*{ID}\s*$", re.I)),
    ("staff.group", re.compile(r"^\s*(?:สร้างกลุ่ม|create group)\s+(.{2,80})$", re.I)),
    ("staff.approve", re.compile(rf"^\s*(?:อนุมัติ|approve)\s*{ID}\s*$", re.I)),
    ("staff.decline", re.compile(rf"^\s*(?:ปฏิเสธ|decline)\s*{ID}\s*$", re.I)),
]


def staff_command(text: str) -> Route | None:
    for name, pattern in STAFF:
        if m := pattern.match(text):
            arg = m.group(1).strip()
            return Route(name, {"arg": arg if name == "staff.group" else typed(arg)})
    return None


def fuzzy_global(key: str) -> Route | None:
    """A long global command typed with a letter wrong, missing or extra."""
    if len(key) < 8:
        return None
    for command in FUZZY:
        if abs(len(command) - len(key)) <= 3 and difflib.SequenceMatcher(None, key, command).ratio() >= 0.85:
            return GLOBAL[command]
    return None


def postback_route(data: dict[str, str], catalog: Any) -> Route:
    """A card's button: "a=detail&p=<program>" answers with its details in the chat, "a=apply&p=..."
    starts the registration for that program, "a=faq&id=..." one FAQ answer."""
    action, program = data.get("a"), data.get("p", "")
    if action in ("detail", "apply") and catalog is not None and catalog.program(program):
        if action == "detail":
            return Route("program.detail", {"program": program, "aspect": "full"})
        return Route("register.start", {"program": program})
    if action == "faq" and catalog is not None and data.get("id", "") in catalog.faq.by_id:
        return Route("faq.answer", {"id": data["id"]})
    return Route("postback.expired")
