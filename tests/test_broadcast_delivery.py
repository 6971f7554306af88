"""Broadcast delivery on real Redis against a small fake of LINE's multicast: every recipient
exactly once through 429s, 5xx, a crash mid-broadcast and a resumed job; skips, cancel, quota,
the lease, the limiter's windows, the sweeper and RQ's scheduler, and the keys it leaves."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from linebot.v3.messaging import MulticastRequest

from bot.broadcast import runner
from bot.broadcast.delivery import MONTHLY_LIMIT, check_quota, messages, text_room
from bot.broadcast.keys import lease_key, log_key, retry_key, to_key
from bot.broadcast.limiter import Limiter
from bot.broadcast.records import Broadcasts
from bot.broadcast.sweep import sweep
from bot.store.base import KEYS
from domain.texts import Texts

pytestmark = pytest.mark.redis
FOOTER = Texts()("broadcast.footer")


class Crash(BaseException):
    """The worker dies (SIGKILL) after LINE accepted a request and before it heard the answer."""


class FakeLine:
    """Multicast as LINE answers it: a retry key already accepted gets 409 and nothing is sent
    again. `fail_first` keys fail their first try (429 and 500 in turn); `answer` overrides."""

    def __init__(self, fail_first: Any = lambda key: False, crash_after: int | None = None,
                 answer: Any = None, quota: tuple[str, int | None, int] = ("none", None, 0)) -> None:  # fmt: skip
        self.fail_first, self.crash_after, self.answer, self.q = fail_first, crash_after, answer, quota
        self.lock = threading.Lock()
        self.accepted: dict[str, list[str]] = {}
        self.bodies: dict[str, set[str]] = {}  # key -> every `to` sent with it (as JSON)
        self.delivered: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.tries: Counter[str] = Counter()
        self.requests: list[dict[str, Any]] = []

    def multicast(self, data: bytes, key: str, timeout: float) -> tuple[int, str]:
        body = MulticastRequest.from_json(data.decode()).to_dict()  # a valid request, or this raises
        with self.lock:
            self.tries[key] += 1
            self.requests.append(body)
            self.bodies.setdefault(key, set()).add(json.dumps(body["to"]))
            status = self.answer(key, self.tries[key]) if self.answer else None
            if status is None and key in self.accepted:
                status = 409
            elif status is None and self.tries[key] == 1 and self.fail_first(key):
                status = 429 if len(self.tries) % 2 else 500
            self.statuses[status or 200] += 1
            if status:
                msg = MONTHLY_LIMIT if status == 4290 else "The retry key is already accepted"
                return 429 if status == 4290 else status, msg
            self.accepted[key] = body["to"]
            self.delivered.update(body["to"])
            if self.crash_after and len(self.accepted) == self.crash_after:
                raise Crash()
            return 200, ""

    def get_message_quota(self) -> Any:
        return SimpleNamespace(type=self.q[0], value=self.q[1])

    def get_message_quota_consumption(self) -> Any:
        return SimpleNamespace(total_usage=self.q[2])


def users(r: Any, n: int, first: int = 0) -> tuple[list[str], dict[str, str]]:
    """n followers: their HMAC keys, and HMAC key -> LINE user ID."""
    pipe, ids = r.pipeline(transaction=False), {}
    for k in range(first, first + n):
        uh, uid = f"{k:032x}", "U" + f"{0xB0000 + k:032x}"
        ids[uh] = uid
        pipe.set(f"dip:user:{uh}", json.dumps({"v": 1, "id": uid, "following": True, "lang": "th"}))
    pipe.execute()
    return list(ids), ids


def job(r: Any, bid: str, api: FakeLine, **kw: Any) -> runner.Job:
    kw = {"rps": 100_000, "concurrency": 4, "sleep": lambda s: None, **kw}
    return runner.Job(r, bid, api, **kw)


def started(r: Any, uhs: list[str], text: str = "อบรมการตลาดออนไลน์ 5 ธ.ค.", **kw: Any) -> str:
    bid = Broadcasts(r).create(text, {}, "staff-test", **kw)["id"]
    assert Broadcasts(r).freeze(bid, uhs) is not None
    return bid


def test_each_recipient_once_through_429s_and_5xx_with_the_same_key_and_list(redis_client) -> None:
    r = redis_client
    uhs, ids = users(r, 1200)
    bid = started(r, uhs)
    # after the broadcast was created: 5 opt out, 3 unfollow, 2 erase their data
    for uh in uhs[:5]:
        r.set(f"dip:user:{uh}", json.dumps({"v": 1, "id": ids[uh], "following": True, "opted_out": True}))
    for uh in uhs[5:8]:
        r.set(f"dip:user:{uh}", json.dumps({"v": 1, "id": ids[uh], "following": False}))
    r.delete(*(f"dip:user:{uh}" for uh in uhs[8:10]))
    line = FakeLine(fail_first=lambda key: True)  # every batch: 429 or 500 first
    assert job(r, bid, line).run() == "done"
    assert set(line.delivered) == {ids[uh] for uh in uhs[10:]} and set(line.delivered.values()) == {1}
    assert all(len(b) == 1 for b in line.bodies.values()), "a retry changed the recipients"
    assert set(line.bodies) == {retry_key(bid, i) for i in range(3)}
    assert line.statuses[429] + line.statuses[500] == 3 and line.statuses[200] == 3
    for body in line.requests:
        assert len(body["to"]) == len(set(body["to"])) <= 500
        assert body["customAggregationUnits"] == [f"bc{bid}"]
        assert body["messages"][-1]["text"].endswith("\n\n" + FOOTER)
    rec = Broadcasts(r).get(bid)
    assert rec is not None and rec["status"] == "done"
    counts = {k: rec[k] for k in ("targeted", "sent", "skipped", "failed", "batches")}
    assert counts == {"targeted": 1200, "sent": 1190, "skipped": 10, "failed": 0, "batches": 3}
    assert rec["skipped_by"] == {"opted_out": 5, "unfollowed": 3, "erased": 2, "capped": 0}
    assert rec["started_at"] <= rec["ended_at"] and rec["unit"] == f"bc{bid}"
    assert 0 < r.ttl(to_key(bid)) <= 7 * 86_400 and 0 < r.ttl(log_key(bid)) <= 7 * 86_400


@pytest.mark.parametrize("crash_after", [1, 3])
def test_a_crash_after_line_accepted_a_batch_resumes_with_nobody_served_twice(redis_client, crash_after) -> None:
    r = redis_client
    uhs, ids = users(r, 1234)
    bid = started(r, uhs, batch_size=100)  # 13 batches
    line = FakeLine(fail_first=lambda key: key[0] in "0123", crash_after=crash_after)
    with pytest.raises(Crash):
        job(r, bid, line, concurrency=3).run()
    states = Counter(json.loads(v)["state"] for v in r.hvals(log_key(bid)))
    assert states["sending"] >= 1 and (Broadcasts(r).get(bid) or {})["status"] == "sending"
    r.delete(lease_key(bid))  # SIGKILL would leave it to expire
    line.crash_after = None
    assert job(r, bid, line, concurrency=3).run() == "done"
    assert line.delivered == Counter({ids[uh]: 1 for uh in uhs}), "someone missed or served twice"
    assert line.statuses[409] >= 1  # the batch in flight at the crash: LINE had it already
    rec = Broadcasts(r).get(bid) or {}
    assert (rec["sent"], rec["batches"], rec["failed"], rec["skipped"]) == (1234, 13, 0, 0)


def test_a_resumed_batch_goes_again_with_its_stored_key_and_recipients(redis_client) -> None:
    r = redis_client
    uhs, ids = users(r, 700)
    bid = started(r, uhs)
    stored = {"key": retry_key(bid, 1), "state": "sending", "to_uhs": uhs[500:650]}  # 50 had opted out then
    assert Broadcasts(r).step(bid, 1, None, stored, skipped_by={"opted_out": 50})
    line = FakeLine()
    assert job(r, bid, line).run() == "done"
    assert line.accepted[retry_key(bid, 1)] == [ids[uh] for uh in uhs[500:650]]
    rec = Broadcasts(r).get(bid) or {}
    assert (rec["sent"], rec["skipped"], rec["batches"]) == (650, 50, 2)


def test_a_second_job_for_the_same_broadcast_exits_at_once(redis_client) -> None:
    r = redis_client
    uhs, _ = users(r, 10)
    bid = started(r, uhs)
    r.set(lease_key(bid), "another-job", px=15_000)
    line = FakeLine()
    assert job(r, bid, line).run() == "busy" and line.requests == []
    r.delete(lease_key(bid))
    assert job(r, bid, line).run() == "done" and job(r, bid, line).run() == "done"
    assert len(line.requests) == 1 and r.get(lease_key(bid)) is None


def test_cancel_stops_before_the_next_batch(redis_client) -> None:
    r = redis_client
    uhs, _ = users(r, 1000)
    bid = started(r, uhs, batch_size=100)

    def cancel_on_first(key: str, n: int) -> None:
        Broadcasts(r).update_status(bid, "cancelled", ("sending",))

    line = FakeLine(answer=cancel_on_first)
    assert job(r, bid, line, concurrency=1).run() == "cancelled"
    rec = Broadcasts(r).get(bid) or {}
    assert len(line.requests) == 1 and rec["sent"] == 100 and rec["status"] == "cancelled" and rec["ended_at"]
    assert bid not in Broadcasts(r).active() and 0 < r.ttl(to_key(bid)) <= 7 * 86_400
    assert Broadcasts(r).update_status(bid, "sending") is None  # an ended broadcast stays ended


def test_refused_batches_fail_and_an_outage_gives_up_after_its_time(redis_client) -> None:
    r = redis_client
    uhs, _ = users(r, 1500)
    bid = started(r, uhs)
    refuse = {retry_key(bid, 1): 400, retry_key(bid, 2): 503}
    line = FakeLine(answer=lambda key, n: refuse.get(key))
    slept: list[float] = []
    clock = lambda: sum(slept)  # noqa: E731  (time passes only in the backoff)
    assert job(r, bid, line, sleep=slept.append, clock=clock, give_up=20.0, base=0.5, cap=4.0).run() == "failed"
    rec = Broadcasts(r).get(bid) or {}
    assert (rec["sent"], rec["failed"], rec["batches"], rec["status"]) == (500, 1000, 1, "failed")
    assert line.tries[retry_key(bid, 1)] == 1 and line.tries[retry_key(bid, 2)] == len(slept) + 1 > 5
    assert max(slept) <= 4.0 and min(slept) >= 0.25 and 16 < sum(slept) <= 20  # exponential, jittered, capped


def test_lines_monthly_limit_stops_the_broadcast(redis_client) -> None:
    r = redis_client
    uhs, _ = users(r, 2000)
    bid = started(r, uhs)
    line = FakeLine(answer=lambda key, n: 4290 if key == retry_key(bid, 0) else None)
    assert job(r, bid, line, concurrency=1).run() == "failed"
    rec = Broadcasts(r).get(bid) or {}
    assert (rec["error"], rec["sent"], rec["failed"], line.tries[retry_key(bid, 0)]) == ("quota", 0, 2000, 1)


def test_quota_is_checked_against_what_is_left() -> None:
    assert check_quota(900, FakeLine(quota=("limited", 1000, 200))) == (False, 900, 800)
    assert check_quota(800, FakeLine(quota=("limited", 1000, 200))) == (True, 800, 800)
    assert check_quota(10**6, FakeLine()) == (True, 10**6, None)


def test_the_message_ends_with_how_to_stop_and_fits_lines_limit() -> None:
    rec = {"text": "ข่าว", "card": {"type": "flex", "altText": "x", "contents": {}}}
    out = messages(rec, FOOTER)
    assert len(out) == 2 and out[0]["type"] == "flex" and out[1]["text"] == "ข่าว\n\n" + FOOTER
    assert "หยุดรับข่าวสาร" in FOOTER and 4900 < text_room(FOOTER) < 5000


def test_the_daily_cap_lets_each_user_get_only_so_many_broadcasts_a_day(redis_client) -> None:
    r = redis_client
    uhs, ids = users(r, 30)
    line = FakeLine()
    first = started(r, uhs[:20], "อบรมการตลาดออนไลน์ 5 ธ.ค.")
    assert job(r, first, line, daily_cap=1).run() == "done"
    second = started(r, uhs, "งานแสดงสินค้า 12 ธ.ค.", batch_size=7)  # ten of them did not get the first
    assert job(r, second, line, daily_cap=1).run() == "done"
    rec = Broadcasts(r).get(second) or {}
    assert (rec["targeted"], rec["sent"], rec["skipped"], rec["skipped_by"]["capped"]) == (30, 10, 20, 20)
    assert set(line.delivered) == set(ids.values()) and max(line.delivered.values()) == 1
    third = started(r, uhs, "ข่าวอื่น")  # without the cap, everyone again
    assert job(r, third, line).run() == "done" and (Broadcasts(r).get(third) or {})["sent"] == 30


def test_the_limiter_keeps_every_one_second_window_under_the_rate(redis_client) -> None:
    rps, times, lock = 40, [], threading.Lock()

    def worker(limiter: Limiter) -> None:
        for _ in range(30):
            limiter.wait()
            with lock:
                times.append(time.time())

    limiters = [Limiter(redis_client, rps) for _ in range(2)]  # two workers share the key
    threads = [threading.Thread(target=worker, args=(limiters[t % 2],)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    worst = max(sum(1 for u in times if t <= u < t + 1) for t in times)
    assert worst <= rps and len(times) == 120 and times[-1] - times[0] >= 2.9
    assert 0 < redis_client.pttl("dip:bcrate") <= 60_000


def test_a_sender_woken_late_leaves_its_slot_unused_and_waits_for_a_fresh_one(redis_client) -> None:
    slept: list[float] = []

    def late_once(seconds: float) -> None:  # the first wake-up comes 80 ms after the slot
        time.sleep(seconds + (0.08 if not slept else 0))
        slept.append(seconds)

    first, second = Limiter(redis_client, 10), Limiter(redis_client, 10, sleep=late_once)
    first.wait()  # takes the slot now; the next is about 110 ms away
    began = time.monotonic()
    second.wait()
    assert len(slept) == 2 and slept[1] > 0.02  # a second reservation, after the slot it missed
    assert time.monotonic() - began >= 0.2  # the missed slot stays empty: nothing crowds the one after


def test_the_sweeper_resumes_a_broadcast_whose_job_died_and_rq_runs_it(redis_client) -> None:
    from rq import Queue, SimpleWorker

    r = redis_client
    uhs, ids = users(r, 600)
    bid = started(r, uhs)
    assert Broadcasts(r).change(bid, lambda x: {**x, "job": "bc-dead-job"})
    r.set(lease_key(bid), "the-dead-job", px=15_000)
    assert sweep(r) == []  # its lease has not expired yet
    r.delete(lease_key(bid))
    assert sweep(r) == [bid] and sweep(r) == []  # enqueued once, waiting in the queue
    line = FakeLine()
    runner.configure(SimpleNamespace(BROADCAST_RPS=1000, BROADCAST_CONCURRENCY=2, LINE_TIMEOUT_SECONDS=5), r, line)
    try:
        SimpleWorker([Queue("broadcasts", connection=r)], connection=r).work(burst=True)
    finally:
        runner._ctx.clear()
    rec = Broadcasts(r).get(bid) or {}
    assert rec["status"] == "done" and rec["sent"] == 600 and line.delivered == Counter(ids.values())
    assert re.match(rf"^bc-{bid}-\d+-[0-9a-f]{{6}}$", rec["job"]) and sweep(r) == []


def test_a_scheduled_broadcast_reads_its_segment_when_rq_runs_it(redis_client) -> None:
    from rq import Queue, SimpleWorker

    r = redis_client
    uhs, ids = users(r, 30)
    r.sadd("dip:{seg}:all", *uhs[:20])  # the 10 others are no longer active subscribers
    bcs = Broadcasts(r)
    bid = bcs.create("งานแฟร์", {}, "staff", schedule_at="2026-12-01T09:00:00+07:00")["id"]
    assert runner.start(r, bcs.create("x", status="awaiting_approval")["id"], uhs) is None  # not approved
    assert runner.schedule(r, bid, datetime.now(UTC) - timedelta(seconds=1)) is not None
    line = FakeLine()
    runner.configure(SimpleNamespace(BROADCAST_RPS=1000, BROADCAST_CONCURRENCY=2, LINE_TIMEOUT_SECONDS=5), r, line)
    try:
        SimpleWorker([Queue("broadcasts", connection=r)], connection=r).work(burst=True, with_scheduler=True)
    finally:
        runner._ctx.clear()
    rec = bcs.get(bid) or {}
    assert (rec["status"], rec["targeted"], rec["sent"]) == ("done", 20, 20)
    assert set(line.delivered) == {ids[uh] for uh in uhs[:20]}
    assert [b["id"] for b in bcs.list()][1] == bid  # newest first


def test_every_key_a_broadcast_writes_is_in_the_inventory(redis_client) -> None:
    from tests.test_key_inventory import PATTERNS

    r = redis_client
    uhs, _ = users(r, 50)
    bid = started(r, uhs, batch_size=20)
    ttls = lambda: {k.decode(): r.ttl(k) for k in r.scan_iter(count=500) if not k.startswith(b"dip:user:")}  # noqa: E731
    r.set(lease_key(bid), "x", px=15_000)
    Limiter(r, 10).reserve()
    written = ttls()
    r.delete(lease_key(bid))
    assert job(r, bid, FakeLine()).run() == "done"
    written |= ttls()
    for k, ttl in written.items():
        spec = next((s for p, s in PATTERNS if p.match(k)), None)
        assert spec is not None, f"{k}: add it to bot/store/base.py KEYS"
        assert spec.ttl is None or 0 < ttl <= spec.ttl, k
    names = {s.pattern for s in KEYS if s.owner.startswith("bot/broadcast/") and "{seg}" not in s.pattern}
    assert {
        "dip:bc:{bc_id}",
        "dip:bcto:{bc_id}",
        "dip:bcb:{bc_id}",
        "dip:bcn:{bc_id}",
        "dip:bc-index",
        "dip:bcrate",
    } <= names
