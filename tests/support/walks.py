"""Shared conversation walks for the privacy tests (memory and Redis)."""

from __future__ import annotations

from tests.support.harness import Bot, texts

REGISTER_A_LITTLE = [("สมัคร", "ขอความยินยอม"), ("ยินยอม", "(1/10)"), ("โรงสีข้าวทองดี", "(2/10)"), ("สมชาย ใจดี", "(3/10)")]
FINISH = [
    ("ขอนแก่น", "(4/10)"),
    ("ก", "(5/10)"),
    ("โรงสีข้าว", "(6/10)"),
    ("3", "(7/10)"),
    ("12", "(8/10)"),
    ("๓", "(9/10)"),
    ("081 234 5678", "(10/10)"),
    ("ไม่มี", "ตรวจสอบใบสมัคร"),
    ("ยืนยัน", "ส่งใบสมัครแล้ว"),
]


def walk(bot: Bot, user: str, steps: list[tuple[str, str]]) -> None:
    for says, expected in steps:
        answer = texts(bot.say(user, says))
        assert expected in answer, f"after {says!r} the bot said:\n{answer}"
