"""Broadcast records and their delivery log in Redis.

`dip:bc:<id>` is the record (JSON: text, segment, status, counts, times); `dip:bc-index` lists
them by creation time and `dip:bc-active` holds the ones sending (the sweeper's list). When
sending starts the recipients (HMAC keys) are frozen in `dip:bcto:<id>`, so batch i is always
positions [size*i, size*i+size); `dip:bcb:<id>` field i is that batch's log entry, written before
it is sent: its X-Line-Retry-Key, state (sending, sent, failed) and the recipients it holds.
A batch's state and the record's counts change in one transaction, so a count is never added
twice. Both keys expire 7 days after the broadcast ends (30 days at most, should it never end).
"""

from __future__ import annotations

import builtins
import json
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import redis

from bot.store.base import DAY
from domain.ids import new_id

STATUSES = ("awaiting_approval", "scheduled", "sending", "done", "failed", "cancelled")
ENDED = ("done", "failed", "cancelled")
REASONS = ("opted_out", "unfollowed", "erased", "capped")
COUNTS = ("targeted", "sent", "skipped", "failed", "batches")
BATCH = 500  # LINE's most recipients per multicast
KEEP_AFTER_END, BACKSTOP = 7 * DAY, 30 * DAY
INDEX, ACTIVE = "dip:bc-index", "dip:bc-active"
NAMESPACE = uuid.UUID("0b5e3c1a-7d2f-4e8b-9a61-c4d0f2b7e913")  # of the batches' retry keys
Keys = list[str]  # HMAC keys (`list` is also a method of Broadcasts)


def record_key(bid: str) -> str:
    return f"dip:bc:{bid}"


def to_key(bid: str) -> str:
    return f"dip:bcto:{bid}"


def log_key(bid: str) -> str:
    return f"dip:bcb:{bid}"


def lease_key(bid: str) -> str:
    return f"dip:bclease:{bid}"


def retry_key(bid: str, i: int) -> str:
    """Batch i of a broadcast always carries this X-Line-Retry-Key, whoever sends it."""
    return str(uuid.uuid5(NAMESPACE, f"{bid}:{i}"))


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Broadcasts:
    def __init__(self, r: redis.Redis) -> None:
        self.r = r

    def create(self, text: str, segment: dict[str, list[str]] | None = None, created_by: str = "api", *,
               program: str | None = None, card: dict[str, Any] | None = None, schedule_at: str | None = None,
               status: str = "scheduled", lang: str = "th", batch_size: int = BATCH) -> dict[str, Any]:  # fmt: skip
        """A new broadcast, `awaiting_approval` or `scheduled` (schedule_at None: as soon as started).
        `card` is an optional LINE message (a program's Flex card) sent before the text."""
        if status not in ("awaiting_approval", "scheduled") or not 1 <= batch_size <= BATCH:
            raise ValueError(f"a broadcast starts awaiting_approval or scheduled, in batches of 1..{BATCH}")
        created = now_iso()
        bid = new_id("B", f"{created_by}:{created}:{uuid.uuid4().hex}")
        record: dict[str, Any] = {
            "v": 1, "id": bid, "text": text, "segment": segment or {}, "program": program, "card": card,
            "lang": lang, "created_by": created_by, "created_at": created, "schedule_at": schedule_at,
            "status": status, **dict.fromkeys(COUNTS, 0), "skipped_by": dict.fromkeys(REASONS, 0),
            "started_at": None, "ended_at": None, "unit": f"bc{bid}", "batch_size": batch_size,
            "job": None, "attempts": 0, "error": None,
        }  # fmt: skip
        with self.r.pipeline(transaction=True) as pipe:
            pipe.set(record_key(bid), _dump(record), nx=True)
            pipe.zadd(INDEX, {bid: time.time()})
            pipe.execute()
        return record

    def get(self, bid: str) -> dict[str, Any] | None:
        raw = self.r.get(record_key(bid))
        return json.loads(raw) if raw is not None else None

    def list(self, limit: int = 50, offset: int = 0) -> builtins.list[dict[str, Any]]:
        """Newest first."""
        ids = [_s(b) for b in self.r.zrevrange(INDEX, offset, offset + limit - 1)]  # type: ignore[arg-type]
        raws = self.r.mget([record_key(b) for b in ids]) if ids else []
        return [json.loads(raw) for raw in raws if raw is not None]

    def active(self) -> Keys:
        return sorted(_s(b) for b in self.r.smembers(ACTIVE))

    def update_status(self, bid: str, status: str, expect: tuple[str, ...] | None = None,
                      **fields: Any) -> dict[str, Any] | None:  # fmt: skip
        """Move to `status` (with `fields`), or None: no such broadcast, already ended, or its
        status is not one of `expect`. Sending starts the clock; an end stops it and lets the
        recipient list and the batch log expire a week later."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")

        def change(rec: dict[str, Any]) -> dict[str, Any] | None:
            if rec["status"] in ENDED or (expect is not None and rec["status"] not in expect):
                return None
            rec = {**rec, **fields, "status": status}
            if status == "sending" and not rec["started_at"]:
                rec["started_at"] = now_iso()
            if status in ENDED:
                rec["ended_at"] = now_iso()
            return rec

        def more(pipe: Any, rec: dict[str, Any]) -> None:
            if status == "sending":
                pipe.sadd(ACTIVE, bid)
            elif status in ENDED:
                pipe.srem(ACTIVE, bid)
                pipe.expire(to_key(bid), KEEP_AFTER_END)
                pipe.expire(log_key(bid), KEEP_AFTER_END)

        return self.change(bid, change, more)

    def inc(self, bid: str, skipped_by: dict[str, int] | None = None, **counts: int) -> dict[str, Any] | None:
        return self.change(bid, lambda rec: _added(rec, counts, skipped_by or {}))

    def freeze(self, bid: str, uhs: Keys, **fields: Any) -> dict[str, Any] | None:
        """The recipients of a `scheduled` broadcast, fixed as it starts sending (None: it is not
        `scheduled`). Duplicates are dropped; the list and the status change in one transaction."""
        distinct = list(dict.fromkeys(uhs))

        def more(pipe: Any, rec: dict[str, Any]) -> None:
            pipe.delete(to_key(bid), log_key(bid))
            for n in range(0, len(distinct), 5000):
                pipe.rpush(to_key(bid), *distinct[n : n + 5000])
            pipe.expire(to_key(bid), BACKSTOP)
            pipe.sadd(ACTIVE, bid)

        def change(rec: dict[str, Any]) -> dict[str, Any] | None:
            if rec["status"] != "scheduled":
                return None
            return {**rec, **fields, "status": "sending", "started_at": now_iso(), "targeted": len(distinct)}

        return self.change(bid, change, more)

    def recipients(self, bid: str, i: int, size: int) -> Keys:
        return [_s(b) for b in self.r.lrange(to_key(bid), size * i, size * i + size - 1)]

    def entry(self, bid: str, i: int) -> dict[str, Any] | None:
        raw = self.r.hget(log_key(bid), str(i))
        return json.loads(raw) if raw is not None else None

    def step(self, bid: str, i: int, expect: str | None, entry: dict[str, Any],
             skipped_by: dict[str, int] | None = None, **counts: int) -> bool:  # fmt: skip
        """Batch i's log entry becomes `entry` and the counts are added, in one transaction, if its
        state is still `expect` (None: no entry yet). False: someone else moved it first."""

        def change(rec: dict[str, Any]) -> dict[str, Any] | None:
            raw = self.r.hget(log_key(bid), str(i))  # watched: read before the transaction
            now = json.loads(raw)["state"] if raw is not None else None
            return _added(rec, counts, skipped_by or {}) if now == expect else None

        def more(pipe: Any, rec: dict[str, Any]) -> None:
            pipe.hset(log_key(bid), str(i), _dump(entry))
            pipe.expire(log_key(bid), BACKSTOP if rec["status"] not in ENDED else KEEP_AFTER_END)

        return self.change(bid, change, more, watch=[log_key(bid)]) is not None

    def change(self, bid: str, fn: Callable[[dict[str, Any]], dict[str, Any] | None],
               more: Callable[[Any, dict[str, Any]], None] | None = None,
               watch: Keys | None = None) -> dict[str, Any] | None:  # fmt: skip
        """Apply fn to the record atomically (WATCH, retried on a concurrent write); fn returns the
        new record or None for no change. `more` adds writes to the same transaction."""
        key = record_key(bid)
        with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key, *(watch or []))
                    raw = pipe.get(key)
                    new = fn(json.loads(raw)) if raw is not None else None
                    if new is None:
                        pipe.unwatch()
                        return None
                    pipe.multi()
                    pipe.set(key, _dump(new))
                    if more:
                        more(pipe, new)
                    pipe.execute()
                    return new
                except redis.WatchError:
                    continue


def _added(rec: dict[str, Any], counts: dict[str, int], skipped_by: dict[str, int]) -> dict[str, Any]:
    rec = {**rec, "skipped_by": dict(rec["skipped_by"])}
    for name, n in counts.items():
        rec[name] += n
    for reason, n in skipped_by.items():
        rec["skipped_by"][reason] = rec["skipped_by"].get(reason, 0) + n
        rec["skipped"] += n
    return rec


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
