"""Embedded mode and tests: the same `process` on an in-process queue.

`MemoryQueue` (make run, make chat): dedupe by event ID, one FIFO per partition, worker threads
that each own some partitions, so one user's events run in order. `ManualQueue` (tests): events
wait until the test calls `run()`, which processes them in the calling thread, in order.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from bot.events import partition_of

log = logging.getLogger(__name__)
Process = Callable[[str, int], Any]


class MemoryQueue:
    def __init__(self, process: Process, partitions: int = 8, threads: int = 2) -> None:
        self.process, self.partitions, self.threads = process, partitions, threads
        self.queues = [deque[tuple[str, str]]() for _ in range(partitions)]
        self.seen: dict[str, float] = {}
        self.cond = threading.Condition()
        self.stopping = False
        self.workers = [threading.Thread(target=self._work, args=(i,), daemon=True, name=f"worker-{i}")
                        for i in range(threads)]  # fmt: skip
        for t in self.workers:
            t.start()

    def accept(self, items: list[tuple[str, str, str]]) -> list[bool]:
        out = []
        with self.cond:
            now = time.monotonic()
            for event_id, uh, payload in items:
                new = self.seen.get(event_id, 0) <= now
                if new:
                    self.seen[event_id] = now + 2 * 86_400
                    self.queues[partition_of(uh, self.partitions)].append((uh, payload))
                out.append(new)
            self.cond.notify_all()
        return out

    def ping(self) -> bool:
        return True

    def _work(self, index: int) -> None:
        mine = [q for p, q in enumerate(self.queues) if p % self.threads == index]
        while True:
            with self.cond:
                while not self.stopping and not any(mine):
                    self.cond.wait()
                if self.stopping and not any(mine):
                    return
                batch = [q.popleft() for q in mine if q]
            for uh, payload in batch:
                try:
                    if self.process(payload, 1) == "erased":
                        self._forget(uh)  # events that came after the erasure are not kept
                except Exception:  # one bad event must not stop the others
                    log.exception("event failed in the embedded worker")

    def _forget(self, uh: str) -> None:
        with self.cond:
            q = self.queues[partition_of(uh, self.partitions)]
            kept = [item for item in q if item[0] != uh]
            q.clear()
            q.extend(kept)

    def shutdown(self) -> None:
        with self.cond:
            self.stopping = True
            self.cond.notify_all()
        for t in self.workers:
            t.join(timeout=10)


class ManualQueue:
    """Tests: `run()` processes what is waiting, in the calling thread, in arrival order."""

    def __init__(self, process: Process | None = None) -> None:
        self.process = process
        self.waiting: list[str] = []
        self.seen: set[str] = set()
        self.fail_next = False

    def accept(self, items: list[tuple[str, str, str]]) -> list[bool]:
        if self.fail_next:
            self.fail_next = False
            raise ConnectionError("queue unavailable (injected)")
        out = []
        for event_id, _uh, payload in items:
            out.append(event_id not in self.seen)
            if out[-1]:
                self.seen.add(event_id)
                self.waiting.append(payload)
        return out

    def ping(self) -> bool:
        return True

    def run(self) -> int:
        assert self.process is not None, "ManualQueue.process is not set"
        done = 0
        while self.waiting:
            self.process(self.waiting.pop(0), 1)
            done += 1
        return done
