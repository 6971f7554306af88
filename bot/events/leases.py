"""Partition leases: one consumer reads a partition at a time, so one user's events run in order.

A lease is `dip:lease:<n>` = the consumer's name, with a short TTL that a keeper thread renews
every second while the process lives. A consumer that dies (SIGKILL, a lost host) stops
renewing; its leases expire after `lease_seconds` and live consumers take the partitions and
their pending entries. Consumers announce themselves in `dip:workers` (a heartbeat per
consumer); each takes about partitions / live consumers, releasing extras between batches.

A consumer trusts its own lease only until SAFE of the lease time after the start of the last
renewal that Redis confirmed (`mine`): when Redis is unreachable the lease runs out here before
it can run out in Redis, so two consumers never read one partition at the same time.
"""

from __future__ import annotations

import math
import random
import threading
import time
from typing import Any

RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
WORKERS = "dip:workers"
SAFE = 0.8  # the share of the lease a consumer relies on after a confirmed renewal


class Leases:
    """The leases of one process's consumers; the keeper thread renews them all."""

    def __init__(self, client: Any, partitions: int, lease_seconds: float = 5.0) -> None:
        self.r, self.partitions, self.lease_ms = client, partitions, int(lease_seconds * 1000)
        self.owned: dict[str, set[int]] = {}
        self.until: dict[tuple[str, int], float] = {}  # (consumer, partition) -> monotonic time
        self.lock = threading.Lock()
        self._renew = client.register_script(RENEW)
        self._release = client.register_script(RELEASE)

    def join(self, consumer: str) -> None:
        with self.lock:
            self.owned.setdefault(consumer, set())
        self.heartbeat()

    def mine(self, consumer: str) -> set[int]:
        """The partitions this consumer may read now: held, and renewed recently enough."""
        now = time.monotonic()
        with self.lock:
            return {p for p in self.owned.get(consumer, ()) if self.until.get((consumer, p), 0) > now}

    def _trust(self, consumer: str, p: int, asked_at: float) -> None:
        self.until[(consumer, p)] = asked_at + SAFE * self.lease_ms / 1000

    def heartbeat(self) -> None:
        """Renew every lease and announce every consumer; drop leases another consumer took."""
        now, asked_at = time.time(), time.monotonic()
        with self.lock:
            held = [(c, p) for c, ps in self.owned.items() for p in ps]
            consumers = list(self.owned)
        pipe = self.r.pipeline(transaction=False)
        for c, p in held:
            self._renew(keys=[f"dip:lease:{p}"], args=[c, self.lease_ms], client=pipe)
        if consumers:
            pipe.zadd(WORKERS, {c: now for c in consumers})
        pipe.zremrangebyscore(WORKERS, 0, now - 10 * self.lease_ms / 1000)
        renewed = pipe.execute()[: len(held)]
        with self.lock:
            for (c, p), ok in zip(held, renewed, strict=True):
                if ok:
                    self._trust(c, p, asked_at)
                else:
                    self.owned.get(c, set()).discard(p)
                    self.until.pop((c, p), None)

    def balance(self, consumer: str) -> tuple[set[int], set[int]]:
        """Take free partitions up to a fair share, release extras. Returns (taken, released)."""
        live = self.r.zcount(WORKERS, time.time() - self.lease_ms / 1000, "+inf")
        target = math.ceil(self.partitions / max(1, live))
        with self.lock:
            mine = set(self.owned.get(consumer, ()))
        taken: set[int] = set()
        released: set[int] = set()
        if len(mine) > target:
            for p in sorted(mine)[target:]:
                self._release(keys=[f"dip:lease:{p}"], args=[consumer])
                released.add(p)
        elif len(mine) < target:
            free = [p for p in range(self.partitions) if p not in mine]
            random.shuffle(free)
            for p in free:
                if len(mine) + len(taken) >= target:
                    break
                asked_at = time.monotonic()
                if self.r.set(f"dip:lease:{p}", consumer, nx=True, px=self.lease_ms):
                    taken.add(p)
                    with self.lock:
                        self._trust(consumer, p, asked_at)
        with self.lock:
            self.owned[consumer] = (mine - released) | taken
            for p in released:
                self.until.pop((consumer, p), None)
        return taken, released

    def leave(self, consumer: str) -> None:
        with self.lock:
            held = set(self.owned.get(consumer, ()))
        for p in held:
            self._release(keys=[f"dip:lease:{p}"], args=[consumer])
        with self.lock:
            self.owned.pop(consumer, None)
            for p in held:
                self.until.pop((consumer, p), None)
        self.r.zrem(WORKERS, consumer)

    def keep(self, stop: threading.Event, every: float = 1.0) -> None:
        """The keeper thread: renew until `stop`; Redis errors are retried, never fatal."""
        while not stop.wait(every):
            try:
                self.heartbeat()
            except Exception:
                time.sleep(every)
