"""Per-user order by LINE timestamp, users in parallel, and the RQ path on real Redis."""

from __future__ import annotations

import json
import threading
import time

from bot.store.memory import MemoryStore
from bot.worker import ThreadScheduler, drain


def test_drain_runs_one_users_events_in_timestamp_order() -> None:
    store, seen = MemoryStore(), []
    for ts in (3, 1, 2):
        store.accept(f"e{ts}", "u", ts, str(ts), lambda uh, p: None)
    assert drain(store, "u", seen.append) == 3
    assert seen == ["1", "2", "3"]


def test_an_event_that_fails_does_not_block_the_next(caplog) -> None:
    store, seen = MemoryStore(), []

    def process(payload: str) -> None:
        if payload == "1":
            raise ValueError("bad event")
        seen.append(payload)

    for ts in (1, 2):
        store.accept(f"e{ts}", "u", ts, str(ts), lambda uh, p: None)
    drain(store, "u", process)
    assert seen == ["2"] and "event failed" in caplog.text


def test_a_user_never_runs_on_two_threads_and_users_run_in_parallel() -> None:
    store = MemoryStore()
    running: dict[str, int] = {}
    overlap: list[str] = []
    parallel = threading.Event()
    lock = threading.Lock()

    def process(payload: str) -> None:
        uh = json.loads(payload)["u"]
        with lock:
            running[uh] = running.get(uh, 0) + 1
            if running[uh] > 1:
                overlap.append(uh)
            if sum(1 for v in running.values() if v) > 1:
                parallel.set()
        time.sleep(0.01)
        with lock:
            running[uh] -= 1

    sched = ThreadScheduler(store, process, concurrency=4)
    for i in range(40):
        uh = f"u{i % 3}"
        store.accept(f"e{i}", uh, i, json.dumps({"u": uh, "i": i}), sched)
    sched.shutdown()
    assert overlap == [] and parallel.is_set()
    assert not any(store.has_pending(f"u{i}") for i in range(3))


def test_rq_jobs_carry_no_user_id_and_run_in_order(redis_url, redis_client, classifier) -> None:
    """The web enqueues through RQ inside the store's transaction; a SimpleWorker drains."""
    from rq import Queue, SimpleWorker

    from bot import jobs
    from bot.store.redis import RedisStore
    from bot.worker import QUEUE_NAME, RQScheduler
    from tests.support import line
    from tests.support.harness import Bot, texts

    store = RedisStore.from_url(redis_url)
    b = Bot(classifier, store=store)
    rq = RQScheduler(store.r)
    b.client.application.extensions["dip"].schedule = rq
    user = line.uid(0xBEEF)
    first, second = line.text(user, "ก", ts=line.T0 + 10), line.text(user, "ส", ts=line.T0 + 5)
    assert b.post(first, second).status_code == 200
    queue = Queue(QUEUE_NAME, connection=store.r)
    assert queue.count == 2
    for job in queue.jobs:
        assert user not in json.dumps(job.args) and job.result_ttl == 0
    seen: list[str] = []

    def process(payload: str) -> None:
        seen.append(json.loads(payload)["message"]["text"])
        b.dispatcher.process(payload)

    jobs.install(store, process)
    SimpleWorker([queue], connection=store.r).work(burst=True)
    assert seen == ["ส", "ก"]  # LINE timestamp order, not arrival order
    said = [texts(m) for _, _, m in b.sent()]
    assert "สาย ส" in said[0] and "สาย ก" in said[1]
