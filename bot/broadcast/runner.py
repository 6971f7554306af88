"""Broadcast delivery as RQ jobs: `bot.broadcast.runner.send(broadcast_id)` on BROADCAST_QUEUE.

`start` freezes a broadcast's recipients and enqueues the job; `schedule` enqueues it for later
with RQ's scheduler (the job then freezes the segment's members itself). The job holds the
lease `dip:bclease:<id>` (15 s, renewed every 5 s and after every batch): a second job for the
same broadcast ends at once. The job's thread prepares the batches a few at a time (log entries
stored, users read) and BROADCAST_CONCURRENCY threads post them under the shared limiter, until
one sees the broadcast cancelled. The sweeper (bot/broadcast/sweep.py) enqueues again (a new job ID) any broadcast still
`sending` whose lease expired: a killed worker's broadcast resumes from its batch log.
"""

from __future__ import annotations

import json
import logging
import math
import queue
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
from bot.broadcast.keys import lease_key, record_key
from bot.broadcast.limiter import Lease, Limiter
from bot.broadcast.records import Broadcasts
from bot.broadcast.segments import Segments

log = logging.getLogger(__name__)
FUNC = "bot.broadcast.runner.send"
JOB_TIMEOUT, RESULT_TTL, FAILURE_TTL = 86_400, 86_400, 7 * 86_400
LEASE_MS, RENEW_S, MAX_ATTEMPTS = 15_000, 5.0, 50
_ctx: dict[str, Any] = {}  # what `serve` (or a test) set up for the jobs of this process


def resolve(r: Any, rec: dict[str, Any]) -> Callable[[str], int]:
    """What freezes the active subscribers the broadcast's segment reaches now (Broadcasts.freeze)."""
    return Segments(SimpleNamespace(r=r)).fill(rec.get("segment") or {})


def start(r: Any, bid: str, uhs: list[str] | None = None, queue: str = "broadcasts") -> str | None:
    """Freeze the recipients of a `scheduled` broadcast (`uhs`, or its segment's members now) and
    enqueue its delivery. The RQ job ID, or None when the broadcast is not `scheduled`."""
    rec = Broadcasts(r).get(bid)
    if rec is None or rec["status"] != "scheduled":
        return None
    jid = job_id(bid)
    if Broadcasts(r).freeze(bid, resolve(r, rec) if uhs is None else uhs, job=jid) is None:
        return None
    enqueue(r, queue, bid, jid)
    return jid


def schedule(r: Any, bid: str, at: datetime, queue: str = "broadcasts") -> str | None:
    """Deliver a `scheduled` broadcast at `at` (RQ's scheduler); its segment is read then."""
    jid = job_id(bid)
    if Broadcasts(r).change(bid, lambda x: {**x, "job": jid} if x["status"] == "scheduled" else None) is None:
        return None
    enqueue(r, queue, bid, jid, at)
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
               timeout=s.LINE_TIMEOUT_SECONDS, metrics=_ctx.get("metrics"),
               daily_cap=getattr(s, "BROADCAST_DAILY_CAP", None)).run()  # fmt: skip


class Job:
    def __init__(self, r: Any, bid: str, api: Any, *, rps: float = 200.0, concurrency: int = 4, **sender: Any) -> None:
        self.r, self.bid, self.api, self.concurrency, self.sender = r, bid, api, concurrency, sender
        self.bc, self.limiter, self.lease = Broadcasts(r), Limiter(r, rps), Lease(r, lease_key(bid), LEASE_MS)
        self.stop, self.lost, self.quota = threading.Event(), threading.Event(), threading.Event()

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
        """This thread prepares the batches a few at a time (bot/broadcast/delivery.py, prepare);
        BROADCAST_CONCURRENCY threads post them, each checking first that it was not cancelled."""
        footer = texts()("broadcast.footer", rec.get("lang") or "th")  # parsed once per process
        sender = Sender(self.bc, self.api, self.limiter, footer, **self.sender)
        n = math.ceil(rec["targeted"] / rec["batch_size"])
        log.info("broadcast %s: %d recipients, %d batches, attempt %d", self.bid, rec["targeted"], n, rec["attempts"])
        threads = max(1, min(self.concurrency, n))
        ready: queue.Queue[Any] = queue.Queue(2 * threads)
        with ThreadPoolExecutor(threads, thread_name_prefix=f"bc-{self.bid}") as pool:
            futures = [pool.submit(self._post, sender, rec, ready) for _ in range(threads)]
            try:
                for start in range(0, n, threads):
                    if self.stop.is_set() or not self._sending():
                        break
                    for b in sender.prepare(rec, range(start, min(n, start + threads))):
                        while not self.stop.is_set() and not _put(ready, b):
                            pass
                    self._hold()
                for _ in range(threads):  # one "no more" for each poster
                    while not self.stop.is_set() and not _put(ready, None):
                        pass
            except BaseException:
                self.stop.set()
                raise
        for f in futures:
            f.result()

    def _post(self, sender: Sender, rec: dict[str, Any], ready: queue.Queue[Any]) -> None:
        """Post batches until none are left, or until the broadcast is cancelled: its status
        comes back with each batch's outcome, so no batch is posted after a cancel was seen."""
        try:
            live = self._sending()
            while live and not self.stop.is_set():
                try:
                    b = ready.get(timeout=0.05)
                except queue.Empty:
                    continue
                if b is None:
                    return
                outcome, status = sender.send(rec, b)
                if outcome == "quota":
                    self.quota.set()
                    self.stop.set()
                live = status == "sending"
            if not live:
                self.stop.set()
        except BaseException:
            self.stop.set()
            raise

    def _sending(self) -> bool:
        raw = self.r.get(record_key(self.bid))
        if raw is None or json.loads(raw)["status"] != "sending":
            self.stop.set()
            return False
        return True

    def _finish(self) -> str:
        rec = self.bc.get(self.bid)
        if rec is None or rec["status"] != "sending" or self.lost.is_set():
            return str((rec or {}).get("status", "missing"))
        rest = rec["targeted"] - rec["sent"] - rec["skipped"] - rec["failed"]  # never tried: out of quota
        status, error = "done" if rec["failed"] + rest == 0 else "failed", "quota" if self.quota.is_set() else None
        if self.bc.update_status(self.bid, status, ("sending",), error=error) and rest:
            self.bc.inc(self.bid, failed=rest)  # once: by the job that ended it
        end = self.bc.get(self.bid) or rec
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


def _put(q: queue.Queue[Any], item: Any) -> bool:
    try:
        q.put(item, timeout=0.05)
        return True
    except queue.Full:
        return False


def job_id(bid: str) -> str:
    return f"bc-{bid}-{int(time.time())}-{uuid.uuid4().hex[:6]}"


def enqueue(r: Any, queue: str, bid: str, jid: str, at: datetime | None = None) -> None:
    from rq import Queue

    q, kw = Queue(queue, connection=r), {"job_id": jid, "job_timeout": JOB_TIMEOUT, "result_ttl": RESULT_TTL}
    if at is None:
        q.enqueue(FUNC, bid, failure_ttl=FAILURE_TTL, **kw)
    else:
        q.enqueue_at(at, FUNC, bid, failure_ttl=FAILURE_TTL, **kw)
