"""BROADCAST_DAILY_CAP: at most that many broadcasts (announcements and deadline reminders) per
user per Bangkok day, off unless set. `dip:capday:<uh>` is a hash, Bangkok day -> broadcasts
counted that day (kept 2 days, erased with the user); a user is counted as a batch is prepared,
before it is sent, so a crash never lets anyone past the cap (a failed batch may count once too
often, never too rarely)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.store.base import DAY
from domain.clock import BANGKOK

CAP_TTL, CHUNK = 2 * DAY, 1000


def cap_key(uh: str) -> str:
    return f"dip:capday:{uh}"


def today() -> date:
    return datetime.now(BANGKOK).date()


def under_cap(r: Any, uhs: list[str], cap: int | None, day: date | None = None) -> list[bool]:
    """For each user: still under the cap, and now counted for the day (True for all when no cap).
    Who is at the cap is not counted."""
    if not cap:
        return [True] * len(uhs)
    field, out = (day or today()).isoformat(), []
    for n in range(0, len(uhs), CHUNK):
        chunk, pipe = uhs[n : n + CHUNK], r.pipeline(transaction=False)
        for uh in chunk:
            pipe.hincrby(cap_key(uh), field, 1)
            pipe.expire(cap_key(uh), CAP_TTL)
        ok = [int(c) <= cap for c in pipe.execute()[::2]]
        for uh in (uh for uh, fits in zip(chunk, ok, strict=True) if not fits):  # not sent: take it back
            pipe.hincrby(cap_key(uh), field, -1)
        if len(pipe):
            pipe.execute()
        out += ok
    return out


def capped(
    r: Any, keep: list[str], ids: list[str], skipped: dict[str, int], cap: int
) -> tuple[list[str], list[str], dict[str, int]]:
    """A batch's recipients (HMAC keys, LINE IDs) without whoever is at the cap, counted `capped`."""
    fits = under_cap(r, keep, cap)
    out = (k for k, ok in zip(keep, fits, strict=True) if ok), (i for i, ok in zip(ids, fits, strict=True) if ok)
    n = len(keep) - sum(fits)
    return list(out[0]), list(out[1]), {**skipped, "capped": skipped.get("capped", 0) + n} if n else skipped
