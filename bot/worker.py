"""Workers: events of one user one at a time in LINE timestamp order, users in parallel.

The same `drain` runs in both modes. Embedded: a thread pool in the web process. Redis: RQ
`SimpleWorker`s (no fork per job, so the NLU loads once) on N threads of `python -m bot worker`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bot.store import Store

log = logging.getLogger(__name__)
QUEUE_NAME = "dip-events"
JOB_FUNC = "bot.jobs.run_user"  # by name: the web process never imports the worker's code

Process = Callable[[str], None]


def drain(store: Store, uh: str, process: Process) -> int:
    """Process everything pending for `uh`; return how many events ran here.

    Lock, pop until empty, unlock, then look again: an event pushed after our last pop but
    before the unlock found the lock held and its own job gave up, so we take it.
    """
    done = 0
    while True:
        token = store.try_lock(uh)
        if token is None:
            return done  # the holder looks again after it unlocks
        try:
            while (payload := store.pop_pending(uh)) is not None:
                try:
                    process(payload)
                except Exception:  # one bad event must not block the user's next ones
                    log.exception("event failed uh=%s", uh[:8])
                done += 1
        finally:
            store.unlock(uh, token)
        if not store.has_pending(uh):
            return done


class ThreadScheduler:
    """Embedded mode: schedule = submit a drain to an in-process pool."""

    def __init__(self, store: Store, process: Process, concurrency: int = 4) -> None:
        self.store, self.process = store, process
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="worker")

    def __call__(self, uh: str, _pipe: Any) -> None:
        self.pool.submit(drain, self.store, uh, self.process)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True)


class ManualScheduler:
    """Tests: remember who is waiting; `run()` drains them in the calling thread, in order."""

    def __init__(self, store: Store, process: Process | None = None) -> None:
        self.store, self.process = store, process
        self.waiting: list[str] = []
        self.fail_next = False

    def __call__(self, uh: str, _pipe: Any) -> None:
        if self.fail_next:
            self.fail_next = False
            raise RuntimeError("queue unavailable (injected)")
        self.waiting.append(uh)

    def run(self) -> int:
        assert self.process is not None, "ManualScheduler.process is not set"
        done = 0
        while self.waiting:
            done += drain(self.store, self.waiting.pop(0), self.process)
        return done


class RQScheduler:
    """Redis mode: one RQ job per accepted event, enqueued inside the store's transaction.

    The job carries only the HMAC key: no user ID or text in RQ's records, and no result kept.
    """

    def __init__(self, connection: Any) -> None:
        from rq import Queue

        self.queue = Queue(QUEUE_NAME, connection=connection)

    def __call__(self, uh: str, pipe: Any) -> None:
        self.queue.enqueue_call(JOB_FUNC, args=(uh,), result_ttl=0, failure_ttl=3600, timeout=300, pipeline=pipe)


def run_rq_workers(redis_url: str, concurrency: int, stop: threading.Event) -> None:
    """N non-forking RQ workers on threads of this process; returns when `stop` is set."""
    import redis
    from rq import SimpleWorker
    from rq.timeouts import TimerDeathPenalty

    class ThreadWorker(SimpleWorker):
        death_penalty_class = TimerDeathPenalty  # SIGALRM works only on the main thread

        def _install_signal_handlers(self) -> None:  # the main thread handles SIGTERM
            pass

    conn = redis.Redis.from_url(redis_url)  # no socket timeout: RQ blocks on BLPOP
    workers = [ThreadWorker([QUEUE_NAME], connection=conn) for _ in range(concurrency)]
    threads = [threading.Thread(target=w.work, kwargs={"logging_level": "WARNING"}, daemon=True) for w in workers]
    for t in threads:
        t.start()
    log.info("worker ready: %d RQ threads on queue %s", concurrency, QUEUE_NAME)
    stop.wait()
    for w in workers:
        w._stop_requested = True  # finish the job in hand, take no new one
    for t in threads:
        t.join(timeout=10)
