"""The delivery report's last figure: of a program broadcast's recipients, how many started a
registration for that program (its card's "สนใจสมัคร") within 7 days of the broadcast. Counted in
a HyperLogLog per broadcast (`dip:bcreg:{id}`), which answers "how many" but cannot say who."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.broadcast.keys import to_key
from bot.broadcast.records import Broadcasts

WINDOW = timedelta(days=7)


def reg_key(bid: str) -> str:
    return f"dip:bcreg:{bid}"


def started(r: Any, program: str, uh: str, now: datetime | None = None) -> int:
    """Count this user for every recent broadcast of `program` they received; how many counted."""
    now = now or datetime.now(UTC)
    counted = 0
    for rec in Broadcasts(r).list(100):
        began = rec.get("started_at")
        if rec.get("program") != program or not began or now - datetime.fromisoformat(began) > WINDOW:
            continue
        if r.lpos(to_key(rec["id"]), uh) is None:  # not a recipient of this one
            continue
        pipe = r.pipeline(transaction=False)
        pipe.pfadd(reg_key(rec["id"]), uh)
        pipe.expire(reg_key(rec["id"]), int((WINDOW + timedelta(days=1)).total_seconds()))
        pipe.execute()
        counted += 1
    return counted


def registrations(r: Any, bid: str) -> int:
    return int(r.pfcount(reg_key(bid)))
