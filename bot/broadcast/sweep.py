"""The broadcast process's sweeper thread (bot/worker.py): every SWEEP_S seconds it resumes the
broadcasts whose job died, starts scheduled ones RQ's scheduler left overdue, and runs the
deadline reminders' check (at most hourly)."""

from __future__ import annotations

import logging
import re
import threading
import time
from typing import Any

from bot.broadcast.keys import lease_key
from bot.broadcast.records import Broadcasts
from bot.broadcast.reminders import hourly
from bot.broadcast.runner import enqueue, job_id

log = logging.getLogger(__name__)
SWEEP_S, OVERDUE_S = 5.0, 10
OUR_JOB = re.compile(r"^bc-([0-9A-Z]+)-\d+-[0-9a-f]{6}$")  # runner.job_id


def sweep(r: Any, queue: str = "broadcasts") -> list[str]:
    """Enqueue again every `sending` broadcast whose lease expired and whose last job is not
    waiting in the queue; the record's `job` changes first (WATCH), so two sweepers enqueue once."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    bc, resumed = Broadcasts(r), []
    for bid in bc.active():
        rec = bc.get(bid)
        if r.exists(lease_key(bid)) or rec is None or rec["status"] != "sending":
            continue
        try:
            waiting = rec["job"] and RQJob.fetch(rec["job"], connection=r).get_status() in ("queued", "scheduled")
        except NoSuchJobError:
            waiting = False
        jid = job_id(bid)
        old = rec["job"]
        if waiting or bc.change(bid, lambda x: {**x, "job": jid} if x["job"] == old else None) is None:  # noqa: B023
            continue
        enqueue(r, queue, bid, jid)
        resumed.append(bid)
        log.warning("broadcast %s: its job stopped (lease expired); resuming as %s", bid, jid)
    return resumed


def overdue(r: Any, queue: str = "broadcasts") -> list[str]:
    """Enqueue (a new job ID) every scheduled broadcast RQ's scheduler left OVERDUE_S past its time.
    A scheduler killed with its worker keeps RQ's lock for 61 s, and RQ's worker tries again
    only every 120 s: without this, a restart could delay a scheduled broadcast by 3 minutes.
    Should the old job run too, the lease and the batch log keep it from sending anything twice."""
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    registry, started = ScheduledJobRegistry(queue=Queue(queue, connection=r)), []
    for raw in registry.get_jobs_to_schedule(int(time.time()) - OVERDUE_S):
        old = raw.decode() if isinstance(raw, bytes) else str(raw)
        if not (m := OUR_JOB.match(old)):
            continue
        bid, jid = m.group(1), job_id(m.group(1))
        due = lambda x: {**x, "job": jid} if x["job"] == old and x["status"] == "scheduled" else None  # noqa: B023,E731
        if Broadcasts(r).change(bid, due) is not None:
            enqueue(r, queue, bid, jid)
            started.append(bid)
            log.warning("broadcast %s: overdue in RQ's scheduler; enqueued as %s", bid, jid)
        registry.remove(old)
    return started


def sweeper(r: Any, queue: str, stop: threading.Event) -> None:
    """The sweeper thread of the broadcast process; the deadline reminders' check (at most hourly) too."""
    while not stop.wait(SWEEP_S):
        for task in (sweep, overdue, hourly):
            try:
                task(r, queue)
            except Exception as e:
                log.warning("broadcast sweeper (%s): %s", task.__name__, type(e).__name__)
