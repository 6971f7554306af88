"""Each registration field's parser: the answer as typed -> (value, valid). Uses the entity
extractors, so Thai digits, number words, +66 phones and province nicknames all work."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from handlers.base import Context
from nlp.normalize import command_key as typed

STAGES = ("idea", "starting", "growing", "exporting")
TRACKS = {"ก": "agro", "ส": "creative", "อ": "smart", "agro": "agro", "creative": "creative", "smart": "smart"}
NONE_WORDS = {"ไม่มี", "ยังไม่มี", "ไม่ได้จด", "ยังไม่จด", "none", "no", "-", "ไม่"}


def _text(min_len: int, max_len: int) -> Callable[[Context, str], tuple[Any, bool]]:
    def parse(ctx: Context, text: str) -> tuple[Any, bool]:
        t = " ".join(text.split())
        return t, min_len <= len(t) <= max_len and bool(re.search(r"[A-Za-z\u0e01-\u0e2e]", t))

    return parse


def _province(ctx: Context, text: str) -> tuple[Any, bool]:
    p = ctx.ents.province(text)
    return p, p is not None


def _track(ctx: Context, text: str) -> tuple[Any, bool]:
    key = typed(text)
    for label_key in ("agro", "creative", "smart"):
        if key == typed(ctx.t(f"choice.{label_key}", "th")) or key == typed(ctx.t(f"choice.{label_key}", "en")):
            return label_key, True
    t = TRACKS.get(key.rstrip(".")) or ctx.ents.track(text)
    return t, t is not None


def _stage(ctx: Context, text: str) -> tuple[Any, bool]:
    key = typed(text)
    if key.isdigit() and 1 <= int(key) <= len(STAGES):
        return STAGES[int(key) - 1], True
    for s in STAGES:
        if key in (s, typed(ctx.t(f"form.stage.{s}", "th")), typed(ctx.t(f"form.stage.{s}", "en"))):
            return s, True
    words = {
        "idea": ("ไอเดีย", "แนวคิด"),
        "starting": ("เริ่ม",),
        "growing": ("เติบโต", "ขยาย"),
        "exporting": ("ส่งออก", "export"),
    }
    found = next((s for s, ws in words.items() if any(w in key for w in ws)), None)
    return found, found is not None


def _number(limit: int) -> Callable[[Context, str], tuple[Any, bool]]:
    def parse(ctx: Context, text: str) -> tuple[Any, bool]:
        n = ctx.ents.employees(text)
        if n is None:
            n = ctx.ents.number(text)  # a bare "12", "๑๒" or "สิบสอง"
        return n, n is not None and 0 <= n <= limit

    return parse


def _phone(ctx: Context, text: str) -> tuple[Any, bool]:
    found = ctx.ents.extract(text).phones
    return (found[0] if found else None), bool(found)


def _registration(ctx: Context, text: str) -> tuple[Any, bool]:
    if typed(text) in NONE_WORDS or typed(text) == typed(ctx.say("choice.none")):
        return None, True
    digits = re.sub(r"[\s-]", "", text.translate(str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")))
    return digits, bool(re.fullmatch(r"\d{13}", digits))


PARSERS: dict[str, Callable[[Context, str], tuple[Any, bool]]] = {
    "business_name": _text(2, 100), "contact_name": _text(2, 60), "province": _province, "track": _track,
    "sector": _text(2, 60), "stage": _stage, "employees": _number(100_000), "products": _number(10_000),
    "phone": _phone, "registration_no": _registration,
}  # fmt: skip
