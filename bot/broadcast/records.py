"""Broadcast records and their delivery log in Redis.

`dip:bc:<id>` is the record (JSON: text, segment, status, counts, times); `dip:bc-index` lists
them by creation time and `dip:bc-active` holds the ones sending (the sweeper's list). When
sending starts the recipients (HMAC keys) are frozen in `dip:bcto:<id>`, so batch i is always
positions [size*i, size*i+size); `dip:bcb:<id>` field i is that batch's log entry, written before
it is sent: its X-Line-Retry-Key, state (sending, sent, failed) and the recipients it holds.
The delivery counts are added in the hash `dip:bcn:<id>` (read together with the record): a
batch's state and its counts change in one Lua script (STEP), so a count is never added twice
and the sending threads never contend for the record. The recipients and the batch log expire 7
days after the broadcast ends (30 days at most, should it never end).
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

from bot.broadcast.counts import STEP, counted, counts_key, deltas
from bot.broadcast.keys import log_key, record_key, to_key
from bot.store.base import DAY
from domain.ids import new_id

STATUSES = ("awaiting_approval", "scheduled", "sending", "done", "failed", "cancelled")
ENDED = ("done", "failed", "cancelled")
REASONS = ("opted_out", "unfollowed", "erased", "capped")
COUNTS = ("targeted", "sent", "skipped", "failed", "batches")
BATCH = 500  # LINE's most recipients per multicast
KEEP_AFTER_END, BACKSTOP = 7 * DAY, 30 * DAY
INDEX, ACTIVE = "dip:bc-index", "dip:bc-active"
Keys = list[str]  # HMAC keys (`list` is also a method of Broadcasts)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Broadcasts:
    def __init__(self, r: redis.Redis) -> None:
        self.r = r
        self._step = r.register_script(STEP)

    def create(self, text: str, segment: dict[str, list[str]] | None = None, created_by: str = "api", *,
               program: str | None = None, card: dict[str, Any] | None = None, schedule_at: str | None = None,
               status: str = "scheduled", lang: str = "th", batch_size: int = BATCH,
               cap: bool = True) -> dict[str, Any]:  # fmt: skip
        """A new broadcast, `awaiting_approval` or `scheduled` (schedule_at None: as soon as started).
        `card` is an optional LINE message (a program's Flex card) sent before the text. `cap`:
        the daily cap is applied as batches are prepared (False: it was applied already)."""
        if status not in ("awaiting_approval", "scheduled") or not 1 <= batch_size <= BATCH:
            raise ValueError(f"a broadcast starts awaiting_approval or scheduled, in batches of 1..{BATCH}")
        created = now_iso()
        bid = new_id("B", f"{created_by}:{created}:{uuid.uuid4().hex}")
        record: dict[str, Any] = {
            "v": 1, "id": bid, "text": text, "segment": segment or {}, "program": program, "card": card,
            "lang": lang, "created_by": created_by, "created_at": created, "schedule_at": schedule_at,
            "status": status, **dict.fromkeys(COUNTS, 0), "skipped_by": dict.fromkeys(REASONS, 0),
            "started_at": None, "ended_at": None, "unit": f"bc{bid}", "batch_size": batch_size,
            "job": None, "attempts": 0, "error": None, "cap": cap,
        }  # fmt: skip
        with self.r.pipeline(transaction=True) as pipe:
            pipe.set(record_key(bid), _dump(record), nx=True)
            pipe.zadd(INDEX, {bid: time.time()})
            pipe.execute()
        return record

    def get(self, bid: str) -> dict[str, Any] | None:
        with self.r.pipeline(transaction=True) as pipe:
            pipe.get(record_key(bid))
            pipe.hgetall(counts_key(bid))
            raw, counts = pipe.execute()
        return counted(json.loads(raw), counts) if raw is not None else None

    def list(self, limit: int = 50, offset: int = 0) -> builtins.list[dict[str, Any]]:
        """Newest first."""
        ids = [_s(b) for b in self.r.zrevrange(INDEX, offset, offset + limit - 1)]  # type: ignore[arg-type]
        if not ids:
            return []
        with self.r.pipeline(transaction=True) as pipe:
            pipe.mget([record_key(b) for b in ids])
            for b in ids:
                pipe.hgetall(counts_key(b))
            raws, *counts = pipe.execute()
        return [counted(json.loads(raw), c) for raw, c in zip(raws, counts, strict=True) if raw is not None]

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

    def inc(self, bid: str, skipped_by: dict[str, int] | None = None, **counts: int) -> None:
        """Add to the delivery counts (`skipped_by` adds to `skipped` too)."""
        with self.r.pipeline(transaction=True) as pipe:
            for name, n in deltas(counts, skipped_by or {}):
                pipe.hincrby(counts_key(bid), name, n)
            pipe.execute()

    def freeze(self, bid: str, uhs: Keys | Callable[[str], int], **fields: Any) -> dict[str, Any] | None:
        """The recipients of a `scheduled` broadcast, fixed as it starts sending (None: it is not
        `scheduled`): `uhs`, without duplicates, or what `uhs(key)` writes to a list and counts
        (a segment's members, copied inside Redis: bot/broadcast/segments.py `fill`). The list
        is written under a temporary name, renamed as the status changes, in one transaction."""
        tmp = f"{to_key(bid)}.{uuid.uuid4().hex[:8]}"
        if callable(uhs):
            n = uhs(tmp)
        else:
            distinct = list(dict.fromkeys(uhs))
            with self.r.pipeline(transaction=False) as pipe:
                for k in range(0, len(distinct), 5000):
                    pipe.rpush(tmp, *distinct[k : k + 5000])
                pipe.execute()
            n = len(distinct)
        self.r.expire(tmp, 3600)  # should this process die before the rename

        def more(pipe: Any, rec: dict[str, Any]) -> None:
            pipe.delete(to_key(bid), log_key(bid))
            if n:
                pipe.rename(tmp, to_key(bid))
                pipe.expire(to_key(bid), BACKSTOP)
            pipe.sadd(ACTIVE, bid)

        def change(rec: dict[str, Any]) -> dict[str, Any] | None:
            if rec["status"] != "scheduled":
                return None
            return {**rec, **fields, "status": "sending", "started_at": now_iso(), "targeted": n}

        out = self.change(bid, change, more)
        if out is None:
            self.r.delete(tmp)
        return out

    def step(self, bid: str, i: int, expect: str | None, entry: dict[str, Any],
             skipped_by: dict[str, int] | None = None, **counts: int) -> bool:  # fmt: skip
        """Batch i's log entry becomes `entry` and the counts are added, in one script, if its
        state is still `expect` (None: no entry yet). False: someone else moved it first."""
        return self.steps(bid, [(i, expect, entry, skipped_by or {}, counts)])[0]

    def steps(self, bid: str, items: builtins.list[tuple[int, str | None, dict[str, Any], dict[str, int],
              dict[str, int]]], status: bool = False) -> builtins.list[Any]:  # fmt: skip
        """`step` for several batches (i, expect, entry, skipped_by, counts) in one round trip;
        with `status`, the broadcast's status after them (None: no such broadcast) comes last."""
        with self.r.pipeline(transaction=False) as pipe:
            for i, expect, entry, skipped_by, counts in items:
                pairs = [x for name, n in deltas(counts, skipped_by) for x in (name, n)]
                args = [str(i), expect or "", _dump(entry), BACKSTOP, *pairs]
                self._step(keys=[log_key(bid), counts_key(bid)], args=args, client=pipe)
            if status:
                pipe.get(record_key(bid))
            got = pipe.execute() if len(pipe) else []
        done = [bool(x) for x in got[: len(items)]]
        return [*done, json.loads(got[-1])["status"] if got[-1] is not None else None] if status else done

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
                    return counted(new, self.r.hgetall(counts_key(bid)))
                except redis.WatchError:
                    continue


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
