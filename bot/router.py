"""The router, in the order ARCHITECTURE.md gives (one test per step in tests/test_router.py):

1 handoff gate, 2 global commands, 3 active prompt/form step, 4 postback payloads,
5 staff commands, 6 exact rules, 7 classifier (clarify below threshold), 8 fallback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.incoming import Incoming
from handlers import consent, staff
from handlers.menu import MENU_NUMBERS
from nlp.normalize import command_key

# Typed or tapped, valid anywhere, also mid-form and during a handoff. Keys are command_key()s.
GLOBAL: dict[str, tuple[str, dict[str, Any]]] = {
    "ยกเลิก": ("cancel", {}),
    "cancel": ("cancel", {}),
    "เมนู": ("help", {}),
    "เมนูหลัก": ("help", {}),
    "menu": ("help", {}),
    "ลบข้อมูล": ("privacy", {"privacy": "erase"}),
    "deletemydata": ("privacy", {"privacy": "erase"}),
    "ข้อมูลของฉัน": ("privacy", {"privacy": "mydata"}),
    "mydata": ("privacy", {"privacy": "mydata"}),
    "คุยกับเจ้าหน้าที่": ("human", {}),
    "talktostaff": ("human", {}),
    "กลับไปคุยกับบอท": ("back_to_bot", {}),
    "backtobot": ("back_to_bot", {}),
    "ถอนความยินยอม": ("privacy", {"privacy": "withdraw"}),
    "withdrawconsent": ("privacy", {"privacy": "withdraw"}),
    "ขอไฟล์ข้อมูล": ("privacy", {"privacy": "export"}),
    "downloadmydata": ("privacy", {"privacy": "export"}),
}
RULES: dict[str, tuple[str, dict[str, Any]]] = {
    "ก": ("program_agro", {}),
    "ส": ("program_creative", {}),
    "อ": ("program_smart", {}),
    "สถานะของฉัน": ("register", {"status": True}),
    "mystatus": ("register", {"status": True}),
    "ยกเลิกรับข่าวสาร": ("unsubscribe", {}),
    "หยุดรับข่าวสาร": ("unsubscribe", {}),
    "unsubscribe": ("unsubscribe", {}),
    "รับข่าวสาร": ("unsubscribe", {"resubscribe": True}),
    "subscribe": ("unsubscribe", {"resubscribe": True}),
    "ข้อมูลส่วนบุคคล": ("privacy", {}),
    "personaldata": ("privacy", {}),
    "อยากเป็นพี่เลี้ยง": ("mentor", {"volunteer": True}),
    "becomeamentor": ("mentor", {"volunteer": True}),
    "สมัคร": ("register", {"start": True}),
    "เริ่มสมัคร": ("register", {"start": True}),
    "สมัครเลย": ("register", {"start": True}),
    "apply": ("register", {"start": True}),
    "ขอพี่เลี้ยง": ("mentor", {"request": True}),
    "โครงการที่เหมาะกับฉัน": ("recommend", {}),
    "แนะนำโครงการ": ("recommend", {}),
    "programsforme": ("recommend", {}),
}
# Quick-reply items send their label (config/texts choice.*): a tap routes exactly, in Thai or English.
CHOICE_ROUTES: dict[str, tuple[str, dict[str, Any]]] = {
    "agro": ("program_agro", {}),
    "creative": ("program_creative", {}),
    "smart": ("program_smart", {}),
    "mentor": ("mentor", {}),
    "register": ("register", {"start": True}),
    "funding": ("funding", {}),
    "contact": ("contact", {}),
    "human": ("human", {}),
    "menu": ("help", {}),
    "cancel": ("cancel", {}),
    "status": ("register", {"status": True}),
    "privacy": ("privacy", {}),
    "mydata": ("privacy", {"privacy": "mydata"}),
    "resubscribe": ("unsubscribe", {"resubscribe": True}),
    "unsubscribe": ("unsubscribe", {}),
    "back_to_bot": ("back_to_bot", {}),
    "volunteer": ("mentor", {"volunteer": True}),
    "start": ("register", {"start": True}),
    "mentor_request": ("mentor", {"request": True}),
    "export": ("privacy", {"privacy": "export"}),
    "withdraw": ("privacy", {"privacy": "withdraw"}),
    "erase": ("privacy", {"privacy": "erase"}),
    "recommend": ("recommend", {}),
}
CONFIRM_ERASE = {"ยืนยันลบข้อมูล", "ยืนยันลบ", "ยืนยัน", "confirmdelete", "confirm"}
CONFIRM_WITHDRAW = {"ยืนยันถอนความยินยอม", "ยืนยันถอน", "ยืนยัน", "confirmwithdrawal", "confirm"}
MENU_INTENT = {"agro": "program_agro", "creative": "program_creative", "smart": "program_smart"}
PERSONAL = {"register", "privacy", "human", "mentor", "unsubscribe", "back_to_bot"}
MENTION = re.compile(r"@\S+\s*")


@dataclass(frozen=True)
class Route:
    name: str
    extra: dict[str, Any] = field(default_factory=dict)


class Router:
    def __init__(
        self,
        classify: Callable[[str], Any],
        staff_ids: frozenset[str],
        choice_labels: dict[str, list[str]] | None = None,
    ) -> None:
        self.classify, self.staff_ids = classify, staff_ids
        self.rules = dict(RULES)
        for key, labels in (choice_labels or {}).items():
            if key in CHOICE_ROUTES:
                for label in labels:
                    self.rules.setdefault(command_key(label), CHOICE_ROUTES[key])

    def route(
        self,
        inc: Incoming,
        state: dict[str, Any],
        prompt: dict[str, Any] | None,
        now: datetime,
        province_of: Callable[[str], str | None] = lambda _t: None,
    ) -> Route | None:
        """None means: send nothing."""
        if inc.kind in ("follow", "unfollow", "unsend"):
            return Route(inc.kind)
        if inc.kind == "join":
            return Route("group_joined")
        if inc.kind == "other" or (inc.in_group and not (inc.kind == "text" and inc.mentioned)):
            return None  # in groups the bot speaks only when mentioned
        text = MENTION.sub("", inc.text).strip() if inc.in_group else inc.text
        key = command_key(text)
        # 1. handoff gate: quiet while a person has the conversation, except global commands.
        handoff = state.get("handoff")
        confirming = (prompt or {}).get("kind") in ("erase", "withdraw")  # a global command asked
        if handoff and handoff.get("until", "") > now.isoformat() and key not in GLOBAL and not confirming:
            return None
        # 2. global commands.
        if inc.kind == "text" and key in GLOBAL:
            return self._public(inc, Route(*GLOBAL[key]))
        # 3. the active prompt (a numbered choice, a confirmation, a province asked for), or form.
        if inc.kind == "text" and prompt and (r := _prompt_step(prompt, key, text, province_of)):
            return self._public(inc, r)
        if inc.kind == "text" and state.get("form") and not inc.in_group:
            return Route("form")
        # 4. postback payloads (buttons of old messages answered politely).
        if inc.kind == "postback":
            return Route("postback_expired")
        if inc.kind in ("sticker", "media"):
            return Route("media")
        if inc.kind == "location":
            return Route("location")
        # 5. staff commands.
        if inc.user_id in self.staff_ids and (command := staff.match(text)):
            name, arg = command
            if name in ("approve", "decline"):
                return Route("staff_decide", {"arg": arg, "approve": name == "approve"})
            return Route(f"staff_{name}", {"arg": arg})
        # 6. exact rules.
        if key in self.rules:
            return self._public(inc, Route(*self.rules[key]))
        # 8 before 7: nothing to classify (only emoji, punctuation, 10,000 spaces).
        if not re.search(r"[A-Za-z\u0e00-\u0e7f0-9]", text):
            return Route("fallback")
        # 7. the classifier.
        p = self.classify(text)
        if not p.confident:
            return Route("clarify", {"nlu": p})
        return self._public(inc, Route(p.intent, {"nlu": p}))

    def _public(self, inc: Incoming, r: Route) -> Route:
        """Personal flows are not run in a group: move them to a 1:1 chat."""
        return Route("group_private") if inc.in_group and r.name in PERSONAL else r


def _prompt_step(prompt: dict[str, Any], key: str, text: str, province_of: Callable[[str], str | None]) -> Route | None:
    kind = prompt.get("kind")
    if kind == "clarify":
        options = prompt.get("options") or []
        if key.isdigit() and 1 <= int(key) <= len(options):
            return Route(options[int(key) - 1], {"original_text": prompt.get("text", "")})
    elif kind == "menu" and key in MENU_NUMBERS:
        item = MENU_NUMBERS[key]
        return Route(MENU_INTENT.get(item, item))
    elif kind == "erase" and key in CONFIRM_ERASE:
        return Route("privacy", {"privacy": "erase_confirmed"})
    elif kind == "withdraw" and key in CONFIRM_WITHDRAW:
        return Route("privacy", {"privacy": "withdraw_confirmed"})
    elif kind == "consent" and key in consent.YES:
        return Route("consent_granted", {"then": prompt.get("then", "register")})
    elif kind == "consent" and key in consent.NO:
        return Route("consent_refused")
    elif kind == "province" and province_of(text):
        return Route("contact")
    return None
