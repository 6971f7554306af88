"""The event pipeline on real Redis: per-user order, exactly-once processing, a dead consumer's
events taken over, poison events to the dead-letter stream, floods, the v1 upgrade, and the
embedded queue. (Killing real processes is in tests/e2e/test_faults.py.)"""

from __future__ import annotations

import json
import threading
import time

import pytest

from bot.events import partition_of
from bot.events.consumer import Consumer
from bot.events.leases import Leases
from bot.events.memory import MemoryQueue
from bot.events.streams import StreamQueue, ensure_groups, stream_key
from bot.events.upgrade import upgrade

P = 4


def events(n: int, users: int) -> list[tuple[str, str, str]]:
    out = []
    for i in range(n):
        uh = f"user{i % users:02d}"
        out.append((f"E{i:04d}", uh, json.dumps({"n": i, "uh": uh, "webhookEventId": f"E{i:04d}", "timestamp": 0})))
    return out


class Recorder:
    def __init__(self, fail: set[int] | None = None) -> None:
        self.seen: list[dict] = []
        self.fail = fail or set()
        self.apologies: list[tuple[int, str]] = []
        self.lock = threading.Lock()

    def __call__(self, payload: str, tries: int) -> None:
        ev = json.loads(payload)
        if ev["n"] in self.fail:
            raise RuntimeError("poison")
        with self.lock:
            self.seen.append(ev)

    def apologize(self, payload: str, why: str) -> None:
        self.apologies.append((json.loads(payload)["n"], why))


def consumer(r, name: str, rec: Recorder, leases: Leases | None = None, flood: int = 1000) -> Consumer:
    leases = leases or Leases(r, P, lease_seconds=2)
    c = Consumer(r, leases, name, rec, rec.apologize, flood_per_minute=flood)
    leases.join(name)
    return c


def drain(c: Consumer, seconds: float = 8) -> None:
    """Step until every partition is empty (leases of a dead consumer may take a while to free)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        c.leases.heartbeat()  # what the keeper thread does in a worker
        if c.step(block_ms=0) == 0 and not c.dirty and not any(c.r.xlen(stream_key(p)) for p in range(P)):
            return
        c.next_balance = min(c.next_balance, time.monotonic() + 0.1)


@pytest.fixture
def r(redis_client):
    ensure_groups(redis_client, P)
    return redis_client


def test_accept_dedupes_and_each_users_events_come_in_order(r) -> None:
    q = StreamQueue(r, P)
    batch = events(60, 7)
    assert q.accept(batch) == [True] * 60
    assert q.accept(batch[:5]) == [False] * 5  # LINE delivered them again
    rec = Recorder()
    drain(consumer(r, "c1", rec))
    assert len(rec.seen) == 60
    for u in {ev["uh"] for ev in rec.seen}:
        ns = [ev["n"] for ev in rec.seen if ev["uh"] == u]
        assert ns == sorted(ns)
    assert sum(r.xlen(stream_key(p)) for p in range(P)) == 0, "processed entries are deleted"


def test_web_threads_committing_together_each_get_their_own_answer(r) -> None:
    """Sixteen threads accepting at once: their events share round trips, every event is stored
    once, and each thread learns about its own events (new, or already seen)."""
    from concurrent.futures import ThreadPoolExecutor

    q = StreamQueue(r, P)
    batch = events(400, 20)
    q.accept(batch[:50])  # seen before: LINE sends them again
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda item: q.accept([item]), batch))
    assert answers == [[False]] * 50 + [[True]] * 350
    assert sum(r.xlen(stream_key(p)) for p in range(P)) == 400


def test_when_redis_fails_every_waiting_web_thread_gets_the_error(r, monkeypatch) -> None:
    from concurrent.futures import ThreadPoolExecutor

    import redis

    q = StreamQueue(r, P)

    def down(items):
        time.sleep(0.01)
        raise redis.ConnectionError("Redis is down")

    monkeypatch.setattr(q, "_send", down)

    def one(item):
        try:
            q.accept([item])
            return "stored"
        except redis.ConnectionError:
            return "500"

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(one, events(40, 5))) == {"500"}  # nobody waits forever, nobody is told "stored"
    monkeypatch.undo()
    assert q.accept(events(1, 1)) == [True]


def test_a_dead_consumers_events_are_taken_over_in_order_and_none_runs_twice(r) -> None:
    StreamQueue(r, P).accept(events(40, 5))
    dead = Leases(r, P, lease_seconds=1)
    a = consumer(r, "dead-one", Recorder(), dead)
    a.leases.balance(a.name)
    owned = a.leases.mine(a.name)
    got = r.xreadgroup("workers", a.name, {stream_key(p): ">" for p in owned}, count=100)
    delivered = sum(len(e) for _, e in got)
    assert delivered > 0  # delivered to "dead-one", never acknowledged: it died here
    r.set("dip:done:E0001", 1)  # and one event had finished just before the crash
    time.sleep(1.2)  # its leases run out (nobody renews them)
    rec = Recorder()
    drain(consumer(r, "alive", rec))
    ns = [ev["n"] for ev in rec.seen]
    assert sorted(ns) == [n for n in range(40) if n != 1], "every event once, the finished one not again"
    for u in {ev["uh"] for ev in rec.seen}:
        mine = [ev["n"] for ev in rec.seen if ev["uh"] == u]
        assert mine == sorted(mine)


def test_a_lease_not_renewed_is_given_up_before_redis_lets_another_consumer_take_it(r) -> None:
    leases = Leases(r, P, lease_seconds=1)
    leases.join("a")
    leases.balance("a")
    assert leases.mine("a") == set(range(P))
    time.sleep(0.85)  # no renewal confirmed (Redis unreachable for this process)
    assert leases.mine("a") == set(), "past 80% of the lease this consumer no longer reads"
    assert all(r.get(f"dip:lease:{p}") == b"a" for p in range(P)), "while Redis still holds the lease"


def test_a_consumer_taking_over_waits_for_the_last_owner_to_finish_its_answered_event(r) -> None:
    """A answered an event and Redis went away before its done record; its lease ran out and B
    took the partition. B waits before claiming A's entries, A's done record lands meanwhile,
    and B never answers that event again."""
    StreamQueue(r, P).accept([events(1, 1)[0]])
    a_rec, b_rec = Recorder(), Recorder()
    a = consumer(r, "a", a_rec, Leases(r, P, lease_seconds=1))
    a.leases.balance("a")
    [(stream, [(entry_id, fields)])] = r.xreadgroup("workers", "a", {stream_key(p): ">" for p in range(P)})
    a_rec(fields[b"ev"].decode(), 1)  # answered; the done record could not be written yet
    time.sleep(1.1)  # A's lease runs out in Redis too
    b = consumer(r, "b", b_rec)
    b.step(block_ms=0)  # B takes every partition
    a._finish_surely(stream.decode(), entry_id.decode(), "E0000")  # Redis is back for A
    drain(b)
    assert len(a_rec.seen) == 1 and b_rec.seen == []


def test_a_poison_event_goes_to_the_dead_letters_and_blocks_nobody_else(r) -> None:
    StreamQueue(r, P).accept(events(12, 3))
    rec = Recorder(fail={4})
    c = consumer(r, "c1", rec)
    drain(c)
    assert sorted(ev["n"] for ev in rec.seen) == [n for n in range(12) if n != 4]
    assert rec.apologies == [(4, "dead")], "the user is told, once"
    assert r.xlen("dip:dead") == 1 and r.xrange("dip:dead")[0][1][b"id"] == b"E0004"


def test_a_flood_from_one_user_is_throttled_and_the_others_still_answered(r) -> None:
    flood = [(f"F{i:03d}", "flooder", json.dumps({"n": 1000 + i, "uh": "flooder"})) for i in range(40)]
    others = [(f"O{i:03d}", f"calm{i}", json.dumps({"n": i, "uh": f"calm{i}"})) for i in range(8)]
    StreamQueue(r, P).accept(flood + others)
    rec = Recorder()
    drain(consumer(r, "c1", rec, flood=10))
    assert sum(ev["uh"] == "flooder" for ev in rec.seen) == 10
    assert sorted(ev["n"] for ev in rec.seen if ev["uh"] != "flooder") == list(range(8))
    assert rec.apologies == [(1010, "flood")]


def test_a_consumer_survives_redis_errors(r, monkeypatch) -> None:
    StreamQueue(r, P).accept(events(10, 2))
    rec = Recorder()
    c = consumer(r, "c1", rec)
    real, calls = r.xreadgroup, {"n": 0}

    def flaky(*a, **k):
        calls["n"] += 1
        if calls["n"] <= 3:
            import redis

            raise redis.ConnectionError("Redis restarting")
        return real(*a, **k)

    monkeypatch.setattr(r, "xreadgroup", flaky)
    stop = threading.Event()
    t = threading.Thread(target=c.run, args=(stop, 10))
    t.start()
    deadline = time.time() + 15
    while len(rec.seen) < 10 and time.time() < deadline:
        time.sleep(0.05)
    stop.set()
    t.join(5)
    assert len(rec.seen) == 10 and calls["n"] > 3


def test_redis_failing_after_an_answer_never_makes_the_event_run_again(r, monkeypatch) -> None:
    """The answer went out, then Redis went away before the done record: once Redis is back the
    record lands and the event is not answered a second time (nor are the others)."""
    import redis

    StreamQueue(r, P).accept(events(6, 2))
    rec = Recorder()
    c = consumer(r, "c1", rec)
    real, failures = c._finish, {"n": 0}

    def flaky(*a, **k):
        if failures["n"] < 3:
            failures["n"] += 1
            raise redis.ConnectionError("Redis restarting")
        return real(*a, **k)

    monkeypatch.setattr(c, "_finish", flaky)
    drain(c)
    assert sorted(ev["n"] for ev in rec.seen) == list(range(6)) and failures["n"] == 3


def test_the_v1_queue_is_moved_to_the_streams_and_answered(r) -> None:
    from rq import Queue

    old = {"webhookEventId": "OLD1", "n": 7, "uh": "olduser", "timestamp": 5}
    r.zadd("dip:pending:olduser", {json.dumps(old): 5})
    Queue("dip-events", connection=r).enqueue_call("bot.jobs.run_user", args=("olduser",))
    assert upgrade(r, P) == 1
    assert not r.exists("dip:pending:olduser") and Queue("dip-events", connection=r).count == 0
    assert r.xlen(stream_key(partition_of("olduser", P))) == 1
    rec = Recorder()
    drain(consumer(r, "c1", rec))
    assert [ev["n"] for ev in rec.seen] == [7]


def test_the_embedded_queue_keeps_each_users_order() -> None:
    rec = Recorder()
    q = MemoryQueue(rec, partitions=4, threads=3)
    batch = events(200, 9)
    assert all(q.accept(batch)) and not any(q.accept(batch[:3]))
    q.shutdown()
    assert len(rec.seen) == 200
    for u in {ev["uh"] for ev in rec.seen}:
        ns = [ev["n"] for ev in rec.seen if ev["uh"] == u]
        assert ns == sorted(ns)


def test_the_dead_letters_are_listed_for_the_engineer_without_message_text(r, redis_url, monkeypatch, capsys) -> None:
    from bot.__main__ import events as events_command

    event = {"type": "message", "webhookEventId": "01DEADEVENT0000000000000000", "timestamp": 0,
             "message": {"type": "text", "text": "เบอร์ 0812345678"}}  # fmt: skip
    r.xadd("dip:dead", {"uh": "a1b2c3d4e5f6", "id": event["webhookEventId"], "ev": json.dumps(event), "at": "0"})
    for name, value in {"REDIS_URL": redis_url, "LINE_CHANNEL_SECRET": "s3cret", "USER_HASH_KEY": "k"}.items():
        monkeypatch.setenv(name, value)
    assert events_command("dead") == 0
    out = capsys.readouterr().out
    assert "01DEADEVENT0000000000000000 message/text user a1b2c3d4" in out and "1 dead letters" in out
    assert "0812345678" not in out and "a1b2c3d4e5f6" not in out
