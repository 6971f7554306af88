"""Broadcast delivery as RQ jobs: `bot.broadcast.runner.send(broadcast_id)` on BROADCAST_QUEUE.

`start` freezes a broadcast's recipients and enqueues the job; `schedule` enqueues it for later
with RQ's scheduler (the job then freezes the segment's members itself). The job holds the
lease `dip:bclease:<id>` (15 s, renewed every 5 s and after every batch): a second job for the
same broadcast ends at once. BROADCAST_CONCURRENCY threads send the batches under the shared
limiter, each first checking that the broadcast was not cancelled. The sweeper, run every 5 s
by the worker's broadcast process (bot/worker.py), enqueues again (a new job ID) any broadcast
still `sending` whose lease expired: a killed worker's broadcast resumes from its batch log.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from bot.broadcast.compose import texts
from bot.broadcast.delivery import Sender, make_api
from bot.broadcast.limiter import Lease, Limiter
from bot.broadcast.records import Broadcasts, lease_key
from bot.broadcast.reminders import hourly
from bot.broadcast.segments import Segments

log = logging.getLogger(__name__)
FUNC = "bot.broadcast.runner.send"
JOB_TIMEOUT, RESULT_TTL, FAILURE_TTL = 86_400, 86_400, 7 * 86_400
LEASE_MS, RENEW_S, SWEEP_S, MAX_ATTEMPTS = 15_000, 5.0, 5.0, 50
_ctx: dict[str, Any] = {}  # what `serve` (or a test) set up for the jobs of this process


def resolve(r: Any, rec: dict[str, Any]) -> list[str]:
    """HMAC keys of the active subscribers the broadcast's segment reaches now."""
    return Segments(SimpleNamespace(r=r)).members(rec.get("segment") or {})


def start(r: Any, bid: str, uhs: list[str] | None = None, queue: str = "broadcasts") -> str | None:
    """Freeze the recipients of a `scheduled` broadcast (`uhs`, or its segment's members now) and
    enqueue its delivery. The RQ job ID, or None when the broadcast is not `scheduled`."""
    rec = Broadcasts(r).get(bid)
    if rec is None or rec["status"] != "scheduled":
        return None
    jid = _job_id(bid)
    if Broadcasts(r).freeze(bid, resolve(r, rec) if uhs is None else uhs, job=jid) is None:
        return None
    _enqueue(r, queue, bid, jid)
    return jid


def schedule(r: Any, bid: str, at: datetime, queue: str = "broadcasts") -> str | None:
    """Deliver a `scheduled` broadcast at `at` (RQ's scheduler); its segment is read then."""
    jid = _job_id(bid)
    if Broadcasts(r).change(bid, lambda x: {**x, "job": jid} if x["status"] == "scheduled" else None) is None:
        return None
    _enqueue(r, queue, bid, jid, at)
    return jid


def configure(settings: Any, r: Any = None, api: Any = None, metrics: Any = None) -> None:
    _ctx.update(settings=settings, r=r, api=api, metrics=metrics)


def send(broadcast_id: str) -> str:
    """The RQ job: deliver (or resume) one broadcast; returns the status it ended in."""
    from bot.settings import load_settings
    from bot.worker import _redis

    s = _ctx.get("settings") or load_settings()
    _ctx["r"] = _ctx.get("r") or _redis(s)
    _ctx["api"] = _ctx.get("api") or make_api(s)
    return Job(_ctx["r"], broadcast_id, _ctx["api"], rps=s.BROADCAST_RPS, concurrency=s.BROADCAST_CONCURRENCY,
               timeout=s.LINE_TIMEOUT_SECONDS, metrics=_ctx.get("metrics")).run()  # fmt: skip


class Job:
    def __init__(self, r: Any, bid: str, api: Any, *, rps: float = 200.0, concurrency: int = 4, **sender: Any) -> None:
        self.r, self.bid, self.api, self.concurrency, self.sender = r, bid, api, concurrency, sender
        self.bc, self.limiter, self.lease = Broadcasts(r), Limiter(r, rps), Lease(r, lease_key(bid), LEASE_MS)
        self.stop, self.lost, self.quota = threading.Event(), threading.Event(), threading.Event()
        self.lock = threading.Lock()

    def run(self) -> str:
        rec = self.bc.get(self.bid)
        if rec is None or rec["status"] not in ("scheduled", "sending"):
            return rec["status"] if rec else "missing"
        if not self.lease.take():
            log.info("broadcast %s is being sent by another job", self.bid)
            return "busy"
        try:
            if rec["status"] == "scheduled":
                rec = self.bc.freeze(self.bid, resolve(self.r, rec)) or rec
            rec = self.bc.change(
                self.bid, lambda x: {**x, "attempts": x["attempts"] + 1} if x["status"] == "sending" else None
            )
            if rec is None:
                return str((self.bc.get(self.bid) or {}).get("status"))
            if rec["attempts"] > MAX_ATTEMPTS:
                self.bc.update_status(self.bid, "failed", ("sending",), error="attempts")
                return "failed"
            threading.Thread(target=self._keep, daemon=True, name=f"lease-{self.bid}").start()
            self._send(rec)
            return self._finish()
        finally:
            self.stop.set()
            self.lease.release()

    def _send(self, rec: dict[str, Any]) -> None:
        footer = texts()("broadcast.footer", rec.get("lang") or "th")  # parsed once per process
        sender = Sender(self.bc, self.api, self.limiter, footer, **self.sender)
        n = math.ceil(rec["targeted"] / rec["batch_size"])
        todo = iter(range(n))
        log.info("broadcast %s: %d recipients, %d batches, attempt %d", self.bid, rec["targeted"], n, rec["attempts"])
        threads = max(1, min(self.concurrency, n))
        with ThreadPoolExecutor(threads, thread_name_prefix=f"bc-{self.bid}") as pool:
            futures = [pool.submit(self._work, sender, todo) for _ in range(threads)]
        for f in futures:
            f.result()

    def _work(self, sender: Sender, todo: Any) -> None:
        try:
            while not self.stop.is_set():
                with self.lock:
                    i = next(todo, None)
                if i is None:
                    return
                rec = self.bc.get(self.bid)
                if rec is None or rec["status"] != "sending":  # cancelled
                    self.stop.set()
                    return
                if sender.batch(rec, i) == "quota":
                    self.quota.set()
                    self.stop.set()
                self._hold()
        except BaseException:
            self.stop.set()
            raise

    def _finish(self) -> str:
        rec = self.bc.get(self.bid)
        if rec is None or rec["status"] != "sending" or self.lost.is_set():
            return str((rec or {}).get("status", "missing"))
        rest = rec["targeted"] - rec["sent"] - rec["skipped"] - rec["failed"]  # never tried: out of quota
        error = "quota" if self.quota.is_set() else None
        status = "done" if rec["failed"] + rest == 0 else "failed"
        end = self.bc.update_status(self.bid, status, ("sending",), failed=rec["failed"] + rest, error=error) or rec
        counts = ", ".join(f"{k} {end[k]}" for k in ("targeted", "sent", "skipped", "failed", "batches"))
        log.info("broadcast %s %s: %s", self.bid, end["status"], counts)
        return str(end["status"])

    def _hold(self) -> None:
        if not self.lease.renew():
            log.error("broadcast %s: lease lost; another job resumes it", self.bid)
            self.lost.set()
            self.stop.set()

    def _keep(self) -> None:
        while not self.stop.wait(RENEW_S):
            try:
                self._hold()
            except Exception as e:  # Redis away for a moment: try again at the next tick
                log.warning("broadcast %s: lease not renewed (%s)", self.bid, type(e).__name__)


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
        jid = _job_id(bid)
        if waiting or bc.change(bid, _swap(rec["job"], jid)) is None:
            continue
        _enqueue(r, queue, bid, jid)
        resumed.append(bid)
        log.warning("broadcast %s: its job stopped (lease expired); resuming as %s", bid, jid)
    return resumed


def sweeper(r: Any, queue: str, stop: threading.Event) -> None:
    """The sweeper thread of the broadcast process; the deadline reminders' check (at most hourly) too."""
    while not stop.wait(SWEEP_S):
        for task in (sweep, hourly):
            try:
                task(r, queue)
            except Exception as e:
                log.warning("broadcast sweeper (%s): %s", task.__name__, type(e).__name__)


def _swap(old: str | None, new: str) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    return lambda rec: {**rec, "job": new} if rec["job"] == old else None


def _job_id(bid: str) -> str:
    return f"bc-{bid}-{int(time.time())}-{uuid.uuid4().hex[:6]}"


def _enqueue(r: Any, queue: str, bid: str, jid: str, at: datetime | None = None) -> None:
    from rq import Queue

    q, kw = Queue(queue, connection=r), {"job_id": jid, "job_timeout": JOB_TIMEOUT, "result_ttl": RESULT_TTL}
    if at is None:
        q.enqueue(FUNC, bid, failure_ttl=FAILURE_TTL, **kw)
    else:
        q.enqueue_at(at, FUNC, bid, failure_ttl=FAILURE_TTL, **kw)
