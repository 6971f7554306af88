"""`python -m bot worker`: WORKER_PROCESSES processes, each with WORKER_THREADS consumers of the
event partitions, NLU loaded once per process, and one process that delivers broadcasts (RQ on
BROADCAST_QUEUE, bot/broadcast/runner.py) and runs the retraining an admin starts in the console
(bot/learning/train.py). The parent supervises: a child that dies is started
again. Any number of worker hosts share the partitions (bot/events/leases.py) and the queue.

A Redis outage never ends a consumer silently: it retries with backoff and carries on; SIGTERM
lets each consumer finish its event and give its partitions back.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

log = logging.getLogger(__name__)
SWITCH_S = 0.001  # the broadcast process: a thread back from Redis or LINE waits less for the GIL


def run(settings: Any) -> int:
    from bot.events.streams import ensure_groups
    from bot.events.upgrade import upgrade
    from bot.metrics import prepare

    prepare(settings.METRICS_DIR, "worker", fresh=True)
    client = _redis(settings)
    while True:
        try:
            ensure_groups(client, settings.EVENT_PARTITIONS)
            upgrade(client, settings.EVENT_PARTITIONS)
            break
        except Exception as e:
            log.warning("worker start: Redis not ready (%s); retrying", type(e).__name__)
            time.sleep(1)
    if settings.METRICS_PORT:  # a host with workers only: its own /metrics
        from bot.metrics_view import serve_worker_metrics

        serve_worker_metrics(settings, client)
    return supervise(settings)


def supervise(settings: Any) -> int:
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    ctx = multiprocessing.get_context("fork")
    targets: dict[int | str, tuple[Any, tuple[Any, ...]]] = {
        i: (serve, (settings, i)) for i in range(settings.WORKER_PROCESSES)
    }
    targets["broadcasts"] = (serve_broadcasts, (settings,))
    children: dict[int | str, Any] = {}
    starts: dict[int | str, float] = {}
    while not stop.is_set():
        for i, (target, args) in targets.items():
            child = children.get(i)
            if child is not None and child.is_alive():
                continue
            if child is not None:
                log.error("worker process %s exited with %s; starting it again", i, child.exitcode)
                _mark_dead(child.pid)
            if time.monotonic() - starts.get(i, 0) < 2:
                continue  # crashing at start: try again shortly, not in a tight loop
            children[i] = ctx.Process(target=target, args=args, name=f"worker-{i}", daemon=False)
            children[i].start()
            starts[i] = time.monotonic()
        stop.wait(0.5)
    for child in children.values():
        if child.is_alive():
            child.terminate()
    for child in children.values():
        child.join(timeout=30)
    log.info("worker stopped")
    return 0


def serve(settings: Any, index: int) -> int:
    """One worker process: its consumers and the keeper of their leases."""
    _die_with_parent()
    from bot.app import build_dispatcher, make_store
    from bot.events.consumer import Consumer
    from bot.events.leases import Leases
    from bot.metrics import metrics

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    store = make_store(settings)
    dispatcher = build_dispatcher(settings, store, metrics=metrics())
    dispatcher.d.router.classify("สวัสดี")  # NLU loaded and warm before the first event
    client = store.r  # type: ignore[attr-defined]
    leases = Leases(client, settings.EVENT_PARTITIONS, settings.LEASE_SECONDS)
    name = f"{socket.gethostname()}:{os.getpid()}"
    consumers = [
        Consumer(
            client,
            leases,
            f"{name}:{t}",
            dispatcher.process,
            dispatcher.apologize,
            settings.FLOOD_PER_MINUTE,
            metrics(),
        )
        for t in range(settings.WORKER_THREADS)
    ]
    for c in consumers:
        leases.join(c.name)
    threads = [threading.Thread(target=leases.keep, args=(stop,), daemon=True, name="leases")]
    threads += [threading.Thread(target=c.run, args=(stop,), daemon=True, name=c.name) for c in consumers]
    for t in threads:
        t.start()
    log.info("worker ready: process %d, %d consumers, %d partitions", index, len(consumers), settings.EVENT_PARTITIONS)
    stop.wait()
    for t in threads[1:]:
        t.join(timeout=60)
    return 0


def serve_broadcasts(settings: Any) -> int:
    """The broadcast process: RQ's SimpleWorker with its scheduler on BROADCAST_QUEUE, and the
    sweeper that resumes a broadcast whose job died (bot/broadcast/sweep.py)."""
    _die_with_parent()
    sys.setswitchinterval(SWITCH_S)
    import redis
    import rq.worker.base
    from rq import Queue, SimpleWorker

    from bot.broadcast import runner
    from bot.broadcast.sweep import sweeper
    from bot.metrics import metrics

    class Scheduler(rq.worker.base.RQScheduler):  # RQ forks it: it must end with this process too
        def work(self) -> None:
            _die_with_parent()
            super().work()

    rq.worker.base.RQScheduler = Scheduler  # type: ignore[misc]
    client = _redis(settings)
    runner.configure(settings, client, runner.make_api(settings), metrics())
    stop = threading.Event()
    threading.Thread(target=sweeper, args=(client, settings.BROADCAST_QUEUE, stop), daemon=True).start()
    conn = redis.Redis.from_url(str(settings.REDIS_URL), socket_connect_timeout=3, health_check_interval=10)
    worker = SimpleWorker([Queue(settings.BROADCAST_QUEUE, connection=conn)], connection=conn)
    log.info("broadcast sender ready: process %d, queue %s", os.getpid(), settings.BROADCAST_QUEUE)
    worker.work(with_scheduler=True, logging_level="WARNING")
    stop.set()
    return 0


def _redis(settings: Any) -> Any:
    import redis

    return redis.Redis.from_url(str(settings.REDIS_URL), socket_timeout=5, socket_connect_timeout=3)


def _die_with_parent() -> None:
    """Linux: a worker process ends with its parent (a killed supervisor leaves no orphans)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _mark_dead(pid: int | None) -> None:
    try:
        from prometheus_client import multiprocess

        if pid:
            multiprocess.mark_process_dead(pid)
    except Exception:
        pass
