"""The registration form's fields and how a typed text becomes an answer to one of them.

An answer is stored only when it is a plausible answer for the field: a question, a command, a
menu word, a greeting or a request for something else is "not an answer" (None) and is routed
as usual, after which the form asks the same question again. A plausible attempt that fails
validation (a phone number with 7 digits) gets the field's error and the question again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from domain.routes import Route
from nlp.cues import is_question
from nlp.normalize import command_key

FIELDS = ("business_name", "contact_name", "province", "track", "sector", "stage", "employees", "products",
          "phone", "registration_no")  # fmt: skip
STAGES = ("idea", "starting", "growing", "exporting")
TRACKS = {"ก": "agro", "ส": "creative", "อ": "smart", "agro": "agro", "creative": "creative", "smart": "smart"}
NONE_WORDS = {"ไม่มี", "ยังไม่มี", "ไม่ได้จด", "ยังไม่จด", "none", "no", "-", "ไม่", "ยังไม่ได้จด", "ยังไม่จดทะเบียน"}
CONFIRM = {"ยืนยัน", "ยืนยันส่ง", "ส่ง", "ถูกต้อง", "confirm", "yes", "ok", "ตกลง", "ส่งเลย"}
EDIT = {"แก้ไข", "แก้", "edit", "change"}
RESUME = {"ทำต่อ", "ต่อ", "สมัครต่อ", "continue", "สมัคร", "เริ่มสมัคร", "apply", "กรอกต่อ"}
FREE_TEXT = ("business_name", "contact_name", "sector")
# A confident prediction of one of these means the text asks for something, not a name.
ASKS = {"greeting", "thanks", "help", "human", "privacy", "unsubscribe", "contact", "funding", "register", "mentor"}
ABOUT_FORM = re.compile(r"ตอบ|กรอก|หมายถึง|ใส่|พิมพ์|ต้องเขียน|what do i|mean")
# Short quick-reply keys (choice.*) of the intents, for clarify buttons and the menu.
SHORT = {
    "program_agro": "agro", "program_creative": "creative", "program_smart": "smart", "mentor": "mentor",
    "register": "register", "funding": "funding", "contact": "contact", "human": "human", "privacy": "privacy",
    "help": "menu", "unsubscribe": "unsubscribe",
}  # fmt: skip


def missing(fields: dict[str, Any]) -> list[str]:
    return [f for f in FIELDS if f not in fields]


def read_answer(step: str, r: Any, editing: bool = False) -> Route | None:
    """The route an answer at `step` leads to, or None when the text is not an answer."""
    key = r.key
    if step == "confirm":
        return Route("form.submit") if key in CONFIRM else Route("form.edit") if key in EDIT else None
    if step == "edit":
        n = int(key) if key.isdigit() else 0
        return Route("form.edit_field", {"field": FIELDS[n - 1]}) if 1 <= n <= len(FIELDS) else None
    if step == "resume":
        return Route("form.resume") if key in RESUME or r.choice_of(r.text) == "resume" else None
    if step not in FIELDS:
        return None
    if is_question(r.text):
        return Route("form.explain", {"field": step}) if ABOUT_FORM.search(r.text.lower()) else None
    value, ok = PARSERS[step](r)
    if ok and step not in FREE_TEXT:
        return Route("form.answer", {"field": step, "value": value, "editing": editing})
    if not _plausible(r):
        return None  # a request for something else: routed as usual, then this question again
    if ok:
        return Route("form.answer", {"field": step, "value": value, "sector": _sector(step, r), "editing": editing})
    if not re.search(r"[A-Za-z\u0e01-\u0e2e\d]", r.text):
        return None  # emoji, punctuation
    return Route("form.invalid", {"field": step, "editing": editing})


def _plausible(r: Any) -> bool:
    """Free text that is not a command, a menu word, or a confident request for something else."""
    from domain.commands import GLOBAL, RULES

    if r.key in GLOBAL or r.key in RULES or r.choice_of(r.text):
        return False
    if r.classify is None:
        return True
    p = r.classify(r.text)
    return not (p.confident and p.intent in ASKS and p.confidence >= 0.6)


def _sector(step: str, r: Any) -> str | None:
    return r.ents.sector(r.text) if step == "sector" else None


def _text(min_len: int, max_len: int) -> Callable[[Any], tuple[Any, bool]]:
    def parse(r: Any) -> tuple[Any, bool]:
        t = " ".join(r.text.split())
        return t, min_len <= len(t) <= max_len and bool(re.search(r"[A-Za-z\u0e01-\u0e2e]", t))

    return parse


def _province(r: Any) -> tuple[Any, bool]:
    p = r.ents.province(r.text) if len(r.text) <= 80 else None
    return p, p is not None


def track_of(r: Any) -> str | None:
    choice = r.choice_of(r.text)
    if choice in ("agro", "creative", "smart"):
        return str(choice)
    return TRACKS.get(r.key.rstrip(".")) or r.ents.track(r.text)


def _track(r: Any) -> tuple[Any, bool]:
    t = track_of(r)
    return t, t is not None


def _stage(r: Any) -> tuple[Any, bool]:
    key = r.key
    if key.isdigit() and 1 <= int(key) <= len(STAGES):
        return STAGES[int(key) - 1], True
    choice = r.choice_of(r.text) or ""
    if choice.startswith("stage_"):
        return choice.removeprefix("stage_"), True
    words = {"idea": ("ไอเดีย", "แนวคิด", "idea"), "starting": ("เริ่ม", "start"), "growing": ("เติบโต", "ขยาย", "grow"),
             "exporting": ("ส่งออก", "export")}  # fmt: skip
    found = next((s for s, ws in words.items() if any(w in key for w in ws)), None)
    return found, found is not None


def _number(limit: int) -> Callable[[Any], tuple[Any, bool]]:
    def parse(r: Any) -> tuple[Any, bool]:
        n = r.ents.employees(r.text)
        if n is None:
            n = r.ents.number(r.text)  # a bare "12", "๑๒" or "สิบสอง"
        return n, n is not None and 0 <= n <= limit

    return parse


def _phone(r: Any) -> tuple[Any, bool]:
    found = r.ents.extract(r.text).phones
    return (found[0] if found else None), bool(found)


def _registration(r: Any) -> tuple[Any, bool]:
    if r.key in NONE_WORDS or r.choice_of(r.text) == "none":
        return None, True
    digits = re.sub(r"[\s-]", "", r.text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))
    return digits, bool(re.fullmatch(r"\d{13}", digits))


PARSERS: dict[str, Callable[[Any], tuple[Any, bool]]] = {
    "business_name": _text(2, 100), "contact_name": _text(2, 60), "province": _province, "track": _track,
    "sector": _text(2, 60), "stage": _stage, "employees": _number(100_000), "products": _number(10_000),
    "phone": _phone, "registration_no": _registration,
}  # fmt: skip


def show(say: Callable[..., str], lang: str, catalog: Any, field: str, value: Any) -> str:
    """A field's value as the user reads it in the summary and in "ข้อมูลของฉัน"."""
    if value is None:
        return say("form.none") if field == "registration_no" else "-"
    if field == "track":
        return say(f"choice.{value}")
    if field == "stage":
        return say(f"form.stage.{value}")
    if field == "province" and lang == "en" and value in catalog.province:
        return str(catalog.province[value].name_en)
    return str(value)


__all__ = ["FIELDS", "STAGES", "command_key", "missing", "read_answer", "show", "track_of"]
