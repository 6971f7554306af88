"""Broadcasts end to end: the Procfile's worker (its broadcast process runs RQ on the
`broadcasts` queue), a real redis-server and ../shared/tools/linefake. 1,234 followers written
straight into Redis, 34 of them opted out; a broadcast to all must reach the 1,200 others exactly
once each, in multicasts of at most 500: plainly, with 20% of requests answered 429, and with
the broadcast process SIGKILLed mid-broadcast and started again by the supervisor. At
BROADCAST_RPS=20 no one-second window of linefake's request times holds more than 20 multicasts,
a broadcast needing more than linefake's --quota leaves is refused by check_quota, and one
scheduled for later is sent by the worker's RQ scheduler then."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.broadcast import runner
from bot.broadcast.delivery import check_quota, make_api
from bot.broadcast.records import ENDED, Broadcasts
from bot.ids import user_key
from tests.e2e.stack import TOKEN, Stack

pytestmark = pytest.mark.e2e
FOLLOWERS, OPTED_OUT, RPS, QUOTA = 1234, 34, 20, 3000
ENV = {"WORKER_PROCESSES": "1", "WORKER_THREADS": "2", "BROADCAST_RPS": str(RPS), "BROADCAST_CONCURRENCY": "4"}
READY = re.compile(r"broadcast sender ready: process (\d+)")


@pytest.fixture(scope="module")
def stack(linefake_dir: Path, tmp_path_factory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("broadcast"), env=ENV, linefake_args=["--quota", str(QUOTA)])
    try:
        s.start()
        wait(lambda: senders(s), 60, "the broadcast process never started")
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def r(stack: Stack) -> Any:
    import redis

    return redis.Redis.from_url(f"redis://127.0.0.1:{stack.redis_port}/0")


@pytest.fixture(scope="module")
def followers(r: Any) -> dict[str, str]:
    """LINE user ID -> HMAC key of the 1,234 followers; the last 34 opted out (not in `all`)."""
    out, pipe = {}, r.pipeline(transaction=False)
    for n in range(FOLLOWERS):
        uid = "U" + f"{0xBC000 + n:032x}"
        uh = out[uid] = user_key(b"e2e-hash-key", uid)  # the stack's USER_HASH_KEY
        active = n < FOLLOWERS - OPTED_OUT
        user = {"v": 1, "id": uid, "following": True, "lang": "th", **({} if active else {"opted_out": True})}
        pipe.set(f"dip:user:{uh}", json.dumps(user))
        if active:
            pipe.sadd("dip:{seg}:all", uh)
    pipe.execute()
    return out


@pytest.fixture
def line(stack: Stack) -> Stack:
    stack.admin("POST", "/__admin/reset")
    return stack


def senders(stack: Stack) -> list[int]:
    return [int(p) for p in READY.findall((stack.dir / "worker0.log").read_text(errors="replace"))]


def wait(ok: Any, timeout: float, why: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := ok():
            return value
        time.sleep(0.1)
    raise TimeoutError(why)


def broadcast(r: Any, text: str, uhs: list[str] | None = None, **kw: Any) -> str:
    bid = Broadcasts(r).create(text, {}, "e2e", **kw)["id"]
    assert runner.start(r, bid, uhs) is not None
    return bid


def finished(r: Any, bid: str, timeout: float = 120) -> dict[str, Any]:
    return wait(lambda: (rec := Broadcasts(r).get(bid)) and rec["status"] in ENDED and rec, timeout, f"{bid} not done")


def multicasts(stack: Stack) -> list[dict[str, Any]]:
    return [q for q in stack.admin("GET", "/__admin/requests") if q["path"] == "/v2/bot/message/multicast"]


def arrived(q: dict[str, Any]) -> float:
    return datetime.fromisoformat(q["time"].replace("Z", "+00:00")).timestamp() - q["elapsedMs"] / 1000


def received(stack: Stack, text: str) -> Counter[str]:
    """How many times each user got the broadcast with this text."""
    got: Counter[str] = Counter()
    for user, entries in stack.admin("GET", "/__admin/deliveries").items():
        got[user] += sum(1 for e in entries if e["message"].get("text", "").startswith(text))
    return +got


def check_exactly_once(stack: Stack, followers: dict[str, str], rec: dict[str, Any], text: str) -> list[dict]:
    reqs = multicasts(stack)
    assert received(stack, text) == Counter({uid: 1 for uid in list(followers)[: FOLLOWERS - OPTED_OUT]})
    assert max(len(q["body"]["to"]) for q in reqs) <= 500 and not any(q["violations"] for q in reqs)
    assert all(q["body"]["customAggregationUnits"] == [rec["unit"]] for q in reqs)
    assert (rec["status"], rec["targeted"], rec["sent"], rec["failed"]) == ("done", 1200, 1200, 0)
    return reqs


def test_a_broadcast_to_all_reaches_each_of_the_1200_active_followers_once(line, r, followers) -> None:
    bid = broadcast(r, "ข่าว 1: อบรมการตลาดออนไลน์")  # recipients: the segment index's `all`
    rec = finished(r, bid)
    reqs = check_exactly_once(line, followers, rec, "ข่าว 1")
    assert sorted(len(q["body"]["to"]) for q in reqs) == [200, 500, 500]
    assert rec["batches"] == 3 and reqs[0]["body"]["messages"][-1]["text"].endswith('"หยุดรับข่าวสาร"')
    print(f"\nbroadcast 1200: {len(reqs)} multicasts, {elapsed(rec):.2f} s")


def test_the_same_with_a_fifth_of_the_requests_answered_429(line, r, followers) -> None:
    line.admin("POST", "/__admin/faults", {"fail_rate": 0.2, "fail_status": 429, "seed": 11})
    bid = broadcast(r, "ข่าว 2: งานแฟร์", batch_size=100)  # 12 batches, so some meet a 429
    rec = finished(r, bid)
    reqs = check_exactly_once(line, followers, rec, "ข่าว 2")
    statuses = Counter(q["status"] for q in reqs)
    assert statuses[429] >= 1 and statuses[200] == 12, statuses
    for key in {q["headers"]["X-Line-Retry-Key"] for q in reqs}:  # a retry: same key, same recipients
        assert len({json.dumps(q["body"]["to"]) for q in reqs if q["headers"]["X-Line-Retry-Key"] == key}) == 1
    print(f"\nbroadcast 1200 with 20% 429: {dict(statuses)} in {elapsed(rec):.2f} s")


def test_the_same_when_the_broadcast_process_is_killed_mid_broadcast(line, r, followers) -> None:
    line.admin("POST", "/__admin/faults", {"latency_ms": 1500})  # LINE slow to answer: kill mid-way
    pid = senders(line)[-1]
    bid = broadcast(r, "ข่าว 3: ทุนดีพร้อม", batch_size=100)
    wait(lambda: len(multicasts(line)) >= 4, 30, "no multicast seen")
    os.kill(pid, signal.SIGKILL)  # some batches accepted by LINE, their answers never heard
    killed_at, seen = time.monotonic(), len(multicasts(line))
    line.admin("POST", "/__admin/faults", {"latency_ms": 0})
    wait(lambda: senders(line)[-1] != pid, 30, "the supervisor did not restart the broadcast process")
    rec = finished(r, bid)
    reqs = check_exactly_once(line, followers, rec, "ข่าว 3")
    statuses = Counter(q["status"] for q in reqs)
    assert statuses[409] >= 1 and rec["batches"] == 12 and rec["attempts"] == 2, (statuses, rec)
    print(f"\nSIGKILL after {seen} multicasts: resumed and done {time.monotonic() - killed_at:.1f} s later, "
          f"{dict(statuses)} (409: a batch LINE had accepted, sent again with its key)")  # fmt: skip


def test_no_one_second_window_holds_more_than_broadcast_rps_multicasts(line, r, followers) -> None:
    bid = broadcast(r, "ข่าว 4: ตารางอบรม", batch_size=20)  # 60 multicasts at 20 per second
    rec = finished(r, bid)
    check_exactly_once(line, followers, rec, "ข่าว 4")
    # When each request reached the fake: linefake stamps `time` after validating it (elapsedMs).
    times = sorted(arrived(q) for q in multicasts(line))
    worst = max(sum(1 for u in times if t <= u < t + 1) for t in times)
    assert len(times) == 60 and worst <= RPS, worst
    rate, span = (len(times) - 1) / (times[-1] - times[0]), min(b - a for a, b in zip(times, times[RPS:], strict=False))
    assert rate > RPS * 0.8, rate
    print(f"\n60 multicasts at BROADCAST_RPS={RPS}: at most {worst} in any one-second window "
          f"(the shortest span of {RPS + 1} is {span:.3f} s), {rate:.2f}/s overall")  # fmt: skip


def test_a_broadcast_over_the_quota_is_refused(line, r, followers) -> None:
    api = make_api(SimpleNamespace(local=False, LINE_API_BASE_URL=line.api, LINE_CHANNEL_ACCESS_TOKEN=TOKEN))
    assert check_quota(QUOTA + 1, api) == (False, QUOTA + 1, QUOTA)
    finished(r, broadcast(r, "ข่าว 5: ก่อนโควตา"))
    assert check_quota(1200, api) == (True, 1200, QUOTA - 1200)
    assert check_quota(QUOTA - 1200 + 1, api) == (False, QUOTA - 1200 + 1, QUOTA - 1200)


def test_a_scheduled_broadcast_is_sent_by_the_workers_rq_scheduler(line, r, followers) -> None:
    at = datetime.now(UTC) + timedelta(seconds=2)
    bid = Broadcasts(r).create("ข่าว 6: ตั้งเวลา", {}, "e2e", schedule_at=at.isoformat())["id"]
    assert runner.schedule(r, bid, at) is not None
    rec = finished(r, bid, 60)
    check_exactly_once(line, followers, rec, "ข่าว 6")
    assert datetime.fromisoformat(rec["started_at"]) >= at - timedelta(seconds=1)  # RQ keeps whole seconds


def test_a_scheduled_broadcast_goes_out_although_a_dead_scheduler_holds_rqs_lock(line, r, followers) -> None:
    # A worker killed with its scheduler leaves RQ's scheduler lock for 61 s, and RQ tries again
    # only every 120 s; the sweeper enqueues what is overdue instead.
    r.set("rq:scheduler-lock:broadcasts", "a-scheduler-that-died", ex=61)
    at = datetime.now(UTC) + timedelta(seconds=1)
    bid = Broadcasts(r).create("ข่าว 7: ตั้งเวลา", {}, "e2e", schedule_at=at.isoformat())["id"]
    assert runner.schedule(r, bid, at) is not None
    rec = finished(r, bid, 40)  # OVERDUE_S (10) + a sweep (5) + sending
    check_exactly_once(line, followers, rec, "ข่าว 7")
    r.delete("rq:scheduler-lock:broadcasts")


def elapsed(rec: dict[str, Any]) -> float:
    return (datetime.fromisoformat(rec["ended_at"]) - datetime.fromisoformat(rec["started_at"])).total_seconds()
