"""A consumer: reads the partitions it leases, in order, and processes each event exactly once
as far as the user can tell.

Per entry: skip it when its "done" record exists (an earlier run finished it); count the try;
after MAX_TRIES the event goes to the dead-letter stream and the user gets a polite answer;
a user over the flood limit gets one polite notice and the rest are set aside; otherwise
`process(payload, tries)`, then done record, acknowledge and delete, in one round trip (retried
until Redis answers: an answered event must never run again). A failure leaves the entry
pending: the partition stops there (later events of those users must wait) and is read again
from its pending entries. A Redis error never ends the consumer: it
waits with backoff and carries on; after reconnecting every partition is read from its pending
entries first.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.events.leases import Leases
from bot.events.streams import GROUP, stream_key

log = logging.getLogger(__name__)
MAX_TRIES = 3
# A partition just taken with entries another consumer had read is read after this pause: that
# consumer may be writing the done record of an event it answered while Redis was away (retried
# at least every second, _finish_surely).
TAKEOVER_PAUSE = 1.5
DONE_SECONDS = 2 * 86_400
DEAD = "dip:dead"
DEAD_DAYS = 7


class Consumer:
    def __init__(
        self,
        client: Any,
        leases: Leases,
        name: str,
        process: Callable[[str, int], Any],
        notify: Callable[[str, str], Any] = lambda payload, why: None,
        flood_per_minute: int = 30,
        metrics: Any = None,
    ) -> None:
        self.r, self.leases, self.name = client, leases, name
        self.process, self.notify, self.flood = process, notify, flood_per_minute
        self.metrics = metrics
        self.dirty: set[int] = set()  # partitions with delivered, unfinished entries: read those first
        self.paused: dict[int, float] = {}  # partitions just taken -> when to claim and read them
        self.next_balance = 0.0
        self.erased: set[str] = set()

    def run(self, stop: threading.Event, block_ms: int = 500) -> None:
        backoff = 0.2
        self.leases.join(self.name)
        while not stop.is_set():
            try:
                self.step(block_ms)
                backoff = 0.2
            except Exception as e:  # Redis down or restarting: wait, reconnect, read pending first
                log.warning("consumer %s: %s; retrying in %.1f s", self.name, type(e).__name__, backoff)
                self.dirty |= self.leases.mine(self.name)
                stop.wait(backoff)
                backoff = min(backoff * 2, 5.0)
        with contextlib.suppress(Exception):
            self.leases.leave(self.name)

    def step(self, block_ms: int = 500) -> int:
        """One round: balance leases now and then, read pending then new entries, process them."""
        now = time.monotonic()
        if now >= self.next_balance:
            taken, released = self.leases.balance(self.name)
            for p in taken:  # entries another consumer was working on: let it finish writing first
                self.paused[p] = now + (TAKEOVER_PAUSE if self.r.xpending(stream_key(p), GROUP)["pending"] else 0)
            for p in released:
                self.paused.pop(p, None)
            self.next_balance = now + 1.0
        held = self.leases.mine(self.name)
        for p, until in list(self.paused.items()):
            if until <= now:  # a dead owner's delivered entries become ours, read first, in order
                del self.paused[p]
                if p in held:
                    self.r.xautoclaim(stream_key(p), GROUP, self.name, min_idle_time=0, start_id="0-0", count=1000)
                    self.dirty.add(p)
        owned = held - set(self.paused)
        self.dirty &= owned
        if not owned:
            time.sleep(block_ms / 1000)
            return 0
        if self.dirty:
            got = self.r.xreadgroup(GROUP, self.name, {stream_key(p): "0" for p in self.dirty}, count=50)
            self.dirty -= {p for p in self.dirty if not _has(got, p)}
            done = self._handle(got)
            if done or self.dirty:
                return done
        block = block_ms if block_ms > 0 else None  # Redis times a BLOCK in steps of 100 ms (hz 10)
        got = self.r.xreadgroup(GROUP, self.name, {stream_key(p): ">" for p in owned}, count=20, block=block)
        return self._handle(got or [])

    def _handle(self, got: list[Any]) -> int:
        done = 0
        self.erased = set()  # users erased in this batch: their later entries are gone
        for stream, entries in got:
            partition = int(_s(stream).rsplit(":", 1)[1])
            for entry_id, fields in entries:
                if partition not in self.leases.mine(self.name):
                    self.dirty.add(partition)  # ours again after a renewal: read from its pending entries
                    break  # the lease ran out (Redis unreachable for a while): another consumer reads it
                if fields and _s(fields.get(b"uh", b"")) in self.erased:
                    fields = None  # deleted by the erasure; only the acknowledgement is left
                if not self._one(partition, _s(stream), _s(entry_id), fields):
                    self.dirty.add(partition)
                    break  # later entries of this partition wait: per-user order
                done += 1
        return done

    def _one(self, partition: int, stream: str, entry_id: str, fields: Any) -> bool:
        if not fields:  # deleted meanwhile (an erasure): nothing to do
            self.r.xack(stream, GROUP, entry_id)
            return True
        uh, event_id, payload = _s(fields[b"uh"]), _s(fields[b"id"]), _s(fields[b"ev"])
        pipe = self.r.pipeline(transaction=False)
        pipe.exists(f"dip:done:{event_id}")
        pipe.incr(f"dip:tries:{event_id}")
        pipe.expire(f"dip:tries:{event_id}", DONE_SECONDS)
        pipe.incr(f"dip:flood:{uh}")
        pipe.expire(f"dip:flood:{uh}", 60, nx=True)
        already, tries, _, flood, _ = pipe.execute()
        if already:
            self._finish(stream, entry_id, event_id)
            return True
        if tries > MAX_TRIES:
            self._dead(stream, entry_id, event_id, uh, payload, tries)
            return True
        try:
            if flood > self.flood:
                self._flooded(payload, flood)
            else:
                if self.process(payload, int(tries)) == "erased":
                    self.erased.add(uh)
        except Exception:
            log.exception("event %s failed (try %d of %d)", event_id, tries, MAX_TRIES)
            time.sleep(min(0.25 * tries, 1.0))  # the partition waits; others go on at the next round
            return False
        self._finish_surely(stream, entry_id, event_id)
        return True

    def _flooded(self, payload: str, count: int) -> None:
        """Over the limit: one polite notice per minute, the rest set aside unanswered."""
        if count == self.flood + 1:
            self.notify(payload, "flood")
        log.info("flood: event set aside (%d this minute)", count)

    def _finish(self, stream: str, entry_id: str, event_id: str) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.set(f"dip:done:{event_id}", 1, ex=DONE_SECONDS)
        pipe.xack(stream, GROUP, entry_id)
        pipe.xdel(stream, entry_id)
        pipe.delete(f"dip:tries:{event_id}")
        pipe.execute()

    def _finish_surely(self, stream: str, entry_id: str, event_id: str, patience: float = 300.0) -> None:
        """The event was answered: its done record must land (Redis may be restarting), or a re-run
        would answer it again once the token has expired."""
        delay, until = 0.1, time.monotonic() + patience
        while True:
            try:
                return self._finish(stream, entry_id, event_id)
            except Exception as e:
                if time.monotonic() > until:
                    raise
                log.warning("event %s answered, done record not written yet (%s)", event_id, type(e).__name__)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _dead(self, stream: str, entry_id: str, event_id: str, uh: str, payload: str, tries: int) -> None:
        log.error("event %s failed %d times: moved to the dead-letter stream", event_id, tries - 1)
        oldest = int((time.time() - DEAD_DAYS * 86_400) * 1000)
        self.r.xadd(DEAD, {"uh": uh, "id": event_id, "ev": payload, "at": str(int(time.time()))}, minid=oldest)
        if self.metrics:
            self.metrics.dead()
        try:
            self.notify(payload, "dead")
        except Exception:
            log.exception("event %s: the apology could not be sent", event_id)
        self._finish_surely(stream, entry_id, event_id)


def _has(got: list[Any], partition: int) -> bool:
    return any(_s(s).endswith(f":{partition}") and entries for s, entries in got)


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
