"""Multicast batches of a broadcast, each delivered exactly once, and LINE's monthly quota.

`prepare` readies a few batches in a few round trips: a new batch's log entry is stored first
(bot/broadcast/records.py: its retry key and the recipients still reachable and under the daily
cap, as HMAC keys; the LINE IDs come from the user records). `send` posts one with its
`X-Line-Retry-Key` (JSON built once: line-bot-sdk's models cost more CPU than all the rest), every
attempt under the shared limiter: 200 and 409 (that key was already accepted) are sent; 429,
5xx, timeouts and refused connections back off (0.5 s doubling to 30 s, jittered) and retry with
the same key and recipients for up to 10 minutes, then the batch fails; other 4xx fail at once;
"You have reached your monthly limit." stops the broadcast. A resumed broadcast sends a batch
left `sending` with its stored key and recipients, less whoever left since: LINE delivers it once."""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import urllib3

from bot.broadcast.cap import capped
from bot.broadcast.keys import log_key, retry_key, to_key
from bot.broadcast.limiter import Limiter
from bot.broadcast.lineapi import make_api
from bot.broadcast.records import Broadcasts, _s

log = logging.getLogger(__name__)
MONTHLY_LIMIT = "You have reached your monthly limit."
MAX_TEXT = 5000  # UTF-16 units of one text message
BASE, CAP, GIVE_UP = 0.5, 30.0, 600.0
HEARD_TTL = 2 * 86_400


def messages(record: dict[str, Any], footer: str) -> list[dict[str, Any]]:
    """The card (if any), then the text with how to stop announcements, as one message."""
    card = [record["card"]] if record.get("card") else []
    return [*card, {"type": "text", "text": f"{record['text']}\n\n{footer}"}]


def text_room(footer: str) -> int:
    """UTF-16 units left for a broadcast's text once the footer is added."""
    return MAX_TEXT - len(f"\n\n{footer}".encode("utf-16-le")) // 2


def parsed(raws: list[Any]) -> list[Any]:
    """Users' records (JSON, None when missing) in one json.loads: per record, the call itself
    costs more than the parsing."""
    joined = b",".join(b"null" if x is None else x if isinstance(x, bytes) else x.encode() for x in raws)
    try:
        return list(json.loads(b"[" + joined + b"]"))
    except ValueError:  # one unreadable record: each on its own, the bad one as erased
        return [_one(x) for x in raws]


def _one(raw: Any) -> Any:
    try:
        return json.loads(raw) if raw is not None else None
    except ValueError:
        return None


def reachable(uhs: list[str], users: list[Any]) -> tuple[list[str], list[str], dict[str, int]]:
    """(HMAC keys still reachable, their LINE IDs, skipped by reason) from the users' records."""
    keep: list[str] = []
    ids: dict[str, None] = {}
    skipped: dict[str, int] = {}
    for uh, user in zip(uhs, users, strict=True):
        user = user if isinstance(user, dict) else None
        uid = str((user or {}).get("id") or "")
        why = (
            "erased" if user is None or not uid.startswith("U")
            else "unfollowed" if user.get("following", True) is False
            else "opted_out" if user.get("opted_out") else None
        )  # fmt: skip
        if why:
            skipped[why] = skipped.get(why, 0) + 1
        elif uid not in ids:
            ids[uid] = None
            keep.append(uh)
    return keep, list(ids), skipped


@dataclass(frozen=True)
class Ready:
    """A batch to post: its log entry, its HMAC keys and LINE IDs, who left since it was stored."""

    i: int
    entry: dict[str, Any]
    keep: list[str]
    ids: list[str]
    gone: dict[str, int]


class Sender:
    def __init__(self, broadcasts: Broadcasts, api: Any, limiter: Limiter, footer: str, *, timeout: float = 10.0,
                 give_up: float = GIVE_UP, base: float = BASE, cap: float = CAP,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 metrics: Any = None, daily_cap: int | None = None) -> None:  # fmt: skip
        self.bc, self.api, self.limiter, self.footer = broadcasts, api, limiter, footer
        self.timeout, self.give_up, self.base, self.cap = timeout, give_up, base, cap
        self.sleep, self.clock, self.metrics, self.daily_cap = sleep, clock, metrics, daily_cap

    def prepare(self, rec: dict[str, Any], batches: range) -> list[Ready]:
        """The batches still to send, ready to post, in a few round trips for all of them: a new
        batch's log entry is stored first; a resumed one drops whoever left since it was stored."""
        bid, size, n = rec["id"], rec["batch_size"], len(batches)
        pipe = self.bc.r.pipeline(transaction=False)
        for i in batches:
            pipe.hget(log_key(bid), str(i))
        for i in batches:
            pipe.lrange(to_key(bid), size * i, size * i + size - 1)
        got = pipe.execute()
        entries = [json.loads(raw) if raw is not None else None for raw in got[:n]]
        lists = [[_s(x) for x in uhs] if e is None else e["to_uhs"] for e, uhs in zip(entries, got[n:], strict=True)]
        todo = [k for k, e in enumerate(entries) if e is None or e.get("state") == "sending"]
        users = iter(parsed(self._users([uh for k in todo for uh in lists[k]])))
        ready, fresh = [], []
        for k in todo:
            keep, ids, skipped = reachable(lists[k], [next(users) for _ in lists[k]])
            if (was := entries[k]) is not None:  # resumed
                ready.append(Ready(batches[k], was, keep, ids, skipped))
                continue
            if self.daily_cap and rec.get("cap", True):
                keep, ids, skipped = capped(self.bc.r, keep, ids, skipped, self.daily_cap)
            entry = {"key": retry_key(bid, batches[k]), "state": "sending", "to_uhs": keep}
            fresh.append((Ready(batches[k], entry, keep, ids, {}), skipped))
        stored = self.bc.steps(bid, [(r.i, None, r.entry, skipped, {}) for r, skipped in fresh])
        lost = [r.i for (r, _), ok in zip(fresh, stored, strict=True) if not ok]  # another job stored it first
        ready += [r for (r, _), ok in zip(fresh, stored, strict=True) if ok]
        return sorted(ready + [x for i in lost for x in self.prepare(rec, range(i, i + 1))], key=lambda r: r.i)

    def send(self, rec: dict[str, Any], b: Ready) -> tuple[str, str | None]:
        """Post a prepared batch and record its outcome: ("sent", "failed" or "quota", the
        broadcast's status then, read in the same round trip)."""
        data = body(b.ids, messages(rec, self.footer), rec["unit"])
        outcome = self.post(b.ids, data, b.entry["key"]) if b.ids else "sent"
        done = {**b.entry, "state": "sent" if outcome == "sent" else "failed", "n": len(b.ids)}
        if outcome == "sent":
            if rec.get("program"):
                self._heard(b.keep, rec["program"])
            counts = {"sent": len(b.ids), "batches": 1 if b.ids else 0}
        else:
            counts = {"failed": len(b.ids)}
        return outcome, self.bc.steps(rec["id"], [(b.i, "sending", done, b.gone, counts)], status=True)[-1]

    def post(self, to: list[str], data: bytes, key: str) -> str:
        """One multicast (its JSON body) with its retries: "sent", "failed" or "quota"."""
        began, attempt = self.clock(), 0
        while True:
            self.limiter.wait()
            status, message = self._call(data, key)
            if status in (200, 409):  # 409: LINE already accepted this key (an earlier attempt or job)
                return "sent"
            if status == 429 and message == MONTHLY_LIMIT:
                log.error("LINE monthly message limit reached: broadcast batch of %d not sent", len(to))
                return "quota"
            if isinstance(status, int) and status != 429 and status < 500:
                log.error("multicast to %d users refused %s: %s", len(to), status, message)
                return "failed"
            delay = min(self.cap, self.base * 2**attempt) * random.uniform(0.5, 1.0)
            if self.clock() - began + delay > self.give_up:
                log.error("multicast to %d users not accepted within %.0f s", len(to), self.give_up)
                return "failed"
            if self.metrics:
                self.metrics.retry("multicast")
            self.sleep(delay)
            attempt += 1

    def _call(self, data: bytes, key: str) -> tuple[int | str, str]:
        status: int | str
        try:
            status, message = self.api.multicast(data, key, self.timeout)
        except (urllib3.exceptions.HTTPError, OSError) as e:  # timeouts, refused: LINE may have it
            log.warning("multicast attempt failed (%s)", type(e).__name__)
            status, message = "error", ""
        if self.metrics:
            self.metrics.line_call("multicast", status)
        return status, message

    def _heard(self, uhs: list[str], program: str) -> None:
        """A reply to this broadcast will be about its program (domain/state.py, hearing)."""
        mark = json.dumps({"v": 1, "program": program, "at": datetime.now(UTC).isoformat(timespec="seconds")})
        with self.bc.r.pipeline(transaction=False) as pipe:
            for uh in uhs:
                pipe.set(f"dip:heard:{uh}", mark, ex=HEARD_TTL)
            pipe.execute()

    def _users(self, uhs: list[str]) -> list[Any]:
        return list(self.bc.r.mget([f"dip:user:{uh}" for uh in uhs])) if uhs else []  # one command, not 500


def body(to: list[str], msgs: list[dict[str, Any]], unit: str) -> bytes:
    """A multicast request's JSON, tagged with the broadcast's aggregation unit."""
    payload = {"to": to, "messages": msgs, "customAggregationUnits": [unit]}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def quota(api: Any) -> tuple[int | None, int]:
    """(LINE's monthly message limit or None when unlimited, messages used this month)."""
    q = api.get_message_quota()
    kind = str(getattr(q.type, "value", q.type))
    used = int(api.get_message_quota_consumption().total_usage)
    return (int(q.value) if kind == "limited" and q.value is not None else None), used


def check_quota(needed: int, api: Any = None) -> tuple[bool, int, int | None]:
    """(fits, needed, left; left None when unlimited). `needed` is the number of recipients:
    LINE counts one message per recipient of a request, whatever its message objects."""
    if api is None:
        from bot.settings import load_settings

        api = make_api(load_settings())
    limit, used = quota(api)
    left = None if limit is None else max(0, limit - used)
    return left is None or needed <= left, needed, left
