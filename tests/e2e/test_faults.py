"""Faults the way production brings them, with the Procfile's processes, real Redis and linefake:
300 messages from 50 users in each test, counting messages lost and doubled.

lost: an event acknowledged with 2xx (or answered 5xx and redelivered by the test, as LINE does)
that has no delivery 30 s after the fault ends; doubled: more than one delivery for one event.
Tests shorten the reply token's life and the outages in proportion (60 s -> 6 s, 90 s -> 9 s).
"""

from __future__ import annotations

import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.stack import Stack

pytestmark = pytest.mark.e2e
USERS, PER_USER = 50, 6
MESSAGES = ["สวัสดีครับ", "ขอบคุณครับ", "เมนู", "ก", "ติดต่อศูนย์", "ขอบคุณค่ะ"]


class Line:
    """LINE's side: sends each user's messages in order over the webs, redelivers on a 5xx or no
    answer (with backoff, as LINE does when redelivery is on) and counts what was acknowledged."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.acked: Counter[str] = Counter()
        self.sent = 0
        self.redelivered = 0
        self.lock = threading.Lock()
        platform = stack.platform(0)
        self.make_event = sys.modules[type(platform).__module__].make_event  # linefake's own

    def user(self, n: int) -> str:
        return "U" + f"{0xFA17 + n:032x}"

    def send_one(self, n: int, text: str, web: int) -> None:
        p = self.stack.platform(web)
        event = self.make_event("text", self.user(n), text=text)
        delay = 0.2
        while True:
            try:
                status, _ = p.send([event])
            except (ConnectionError, TimeoutError):
                status = 0
            if 200 <= status < 300:
                with self.lock:
                    self.acked[self.user(n)] += 1
                    self.sent += 1
                return
            with self.lock:
                self.redelivered += 1
            event = {**event, "deliveryContext": {"isRedelivery": True}}
            p = self.stack.platform(web + 1)  # a load balancer may pick the other web
            time.sleep(delay)
            delay = min(delay * 2, 2.0)

    def burst(self, users: range, per_user: int = PER_USER, threads: int = 8) -> None:
        def one_user(n: int) -> None:
            for i in range(per_user):
                self.send_one(n, MESSAGES[i % len(MESSAGES)], web=n + i)

        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(one_user, users))

    def count(self, settle: float = 30.0) -> tuple[int, int]:
        """(lost, doubled) once deliveries stop changing, waiting at most `settle` seconds."""
        deadline, last, same_since = time.monotonic() + settle, None, time.monotonic()
        while time.monotonic() < deadline:
            answers = self.stack.answers()
            if answers == last and time.monotonic() - same_since > 3 and self._complete(answers):
                break
            if answers != last:
                last, same_since = answers, time.monotonic()
            time.sleep(0.5)
        answers = self.stack.answers()
        lost = sum(max(0, n - answers.get(u, 0)) for u, n in self.acked.items())
        doubled = sum(max(0, answers.get(u, 0) - n) for u, n in self.acked.items())
        return lost, doubled

    def report(self) -> str:
        """What each user who got more or fewer answers than messages acknowledged was sent."""
        lines = []
        deliveries = self.stack.admin("GET", "/__admin/deliveries")
        for user, n in sorted(self.acked.items()):
            got = deliveries.get(user, [])
            if len({e["requestId"] for e in got}) != n:
                lines.append(f"{user[-6:]}: {n} acknowledged, delivered:")
                lines += [f"  {e['time']} {e['via']} {e['requestId'][:8]} {str(e['message'].get('text'))[:30]!r}"
                          for e in got]  # fmt: skip
        return "\n".join(lines)

    def _complete(self, answers: dict[str, int]) -> bool:
        return all(answers.get(u, 0) >= n for u, n in self.acked.items())


def make(tmp: Path, **kw: Any) -> Iterator[Stack]:
    s = Stack(tmp, **kw)
    try:
        yield s.start()
    finally:
        s.stop()


@pytest.fixture
def tmp(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("faults")


FAST = {"LEASE_SECONDS": "2", "WORKER_PROCESSES": "1", "WORKER_THREADS": "2"}


def test_a_worker_killed_mid_burst_loses_and_doubles_nothing(linefake_dir, tmp) -> None:
    for stack in make(tmp, webs=1, workers=2, env=FAST):
        line = Line(stack)
        t = threading.Thread(target=line.burst, args=(range(USERS),))
        t.start()
        while line.sent < 100:
            time.sleep(0.02)
        stack.kill("worker0")  # SIGKILL, mid-burst
        killed_at = time.monotonic()
        # The users whose partitions the dead worker held are answered by the survivor soon.
        waits = []
        for n in range(0, USERS, 5):
            before = stack.answers().get(line.user(n), 0)
            line.send_one(n, "ขอบคุณครับ", 0)
            start = time.monotonic()
            while stack.answers().get(line.user(n), 0) <= before and time.monotonic() - start < 20:
                time.sleep(0.1)
            waits.append(time.monotonic() - start)
        t.join()
        stack.start_worker(0)  # the supervisor restarts it
        lost, doubled = line.count()
        assert line.sent >= USERS * PER_USER
        assert (lost, doubled) == (0, 0), line.report()
        assert max(waits) < 10, f"next messages after the kill waited up to {max(waits):.1f} s"
        assert time.monotonic() - killed_at < 120


def test_redis_killed_during_a_burst_and_restarted_on_its_aof(linefake_dir, tmp) -> None:
    for stack in make(tmp, webs=1, workers=1, env={**FAST, "WORKER_PROCESSES": "2"}):
        line = Line(stack)
        t = threading.Thread(target=line.burst, args=(range(USERS),))
        t.start()
        while line.sent < 100:
            time.sleep(0.02)
        stack.kill("redis")
        time.sleep(3)
        stack.start_redis()  # same port and directory: the append-only file is read back
        t.join()
        lost, doubled = line.count()
        assert line.redelivered > 0, "the webhook refused events while Redis was down"
        assert (lost, doubled) == (0, 0), line.report()
        assert "worker ready" in (tmp / "worker0.log").read_text(), "the worker was never restarted by hand"


@pytest.mark.parametrize(("fail_rate", "seconds"), [(0.5, 6), (1.0, 9)], ids=["half-500s-for-6s", "outage-9s"])
def test_line_failing_loses_and_doubles_nothing(linefake_dir, tmp, fail_rate: float, seconds: float) -> None:
    env = {**FAST, "WORKER_PROCESSES": "2", "REPLY_TOKEN_SECONDS": "5"}
    for stack in make(tmp, webs=1, workers=1, env=env, linefake_args=["--reply-token-ttl", "6"]):
        line = Line(stack)
        stack.admin("POST", "/__admin/faults", {"fail_rate": fail_rate, "fail_status": 500, "seed": 9})
        t = threading.Thread(target=line.burst, args=(range(USERS),))
        t.start()
        time.sleep(seconds)
        stack.admin("POST", "/__admin/faults", {"fail_rate": 0})
        t.join()
        lost, doubled = line.count(settle=30)
        assert (lost, doubled) == (0, 0), line.report()
        assert stack.admin("GET", "/__admin/violations") == []


def test_two_webs_three_workers_one_worker_killed(linefake_dir, tmp) -> None:
    for stack in make(tmp, webs=2, workers=3, env=FAST):
        line = Line(stack)
        t = threading.Thread(target=line.burst, args=(range(USERS),))
        t.start()
        while line.sent < 120:
            time.sleep(0.02)
        stack.kill("worker1")
        t.join()
        lost, doubled = line.count()
        assert line.sent >= USERS * PER_USER
        assert (lost, doubled) == (0, 0), line.report()
