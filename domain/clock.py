"""One injectable clock, Asia/Bangkok (ARCHITECTURE.md, Time). Tests pass a FrozenClock."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

BANGKOK = ZoneInfo("Asia/Bangkok")
THAI_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(BANGKOK)


class FrozenClock:
    def __init__(self, at: datetime) -> None:
        self._at = at if at.tzinfo else at.replace(tzinfo=BANGKOK)

    def now(self) -> datetime:
        return self._at

    def advance(self, **delta: float) -> None:
        self._at += timedelta(**delta)


def thai_date(d: datetime, with_time: bool = False) -> str:
    """26 พ.ย. 2569 (Buddhist era), optionally with HH:MM น."""
    d = d.astimezone(BANGKOK) if d.tzinfo else d
    out = f"{d.day} {THAI_MONTHS[d.month - 1]} {d.year + 543}"
    return f"{out} {d:%H:%M} น." if with_time else out
