"""One contract for both stores; Redis runs against a real redis-server (`make test`)."""

from __future__ import annotations

import json

import pytest

from bot.store.memory import MemoryStore


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemoryStore()
    from bot.store.redis import RedisStore

    request.getfixturevalue("redis_client")
    return RedisStore.from_url(request.getfixturevalue("redis_url"))


def accept(store, event_id: str, uh: str = "u1", ts: int = 1, payload: str | None = None, schedule=None) -> bool:
    return store.accept(event_id, uh, ts, payload or json.dumps({"id": event_id}), schedule or (lambda uh, pipe: None))


def test_records_round_trip_as_copies(store) -> None:
    store.put("user", "u1", {"v": 1, "following": True, "name": "โรงสีข้าว"})
    got = store.get("user", "u1")
    assert got == {"v": 1, "following": True, "name": "โรงสีข้าว"}
    got["following"] = False  # mutating a loaded copy changes nothing stored (explicit saves)
    assert store.get("user", "u1")["following"] is True
    store.delete("user", "u1")
    assert store.get("user", "u1") is None


def test_unknown_record_kinds_are_refused(store) -> None:
    with pytest.raises(KeyError):
        store.put("secrets", "u1", {"v": 1})


def test_accept_dedupes_by_event_id(store) -> None:
    scheduled: list[str] = []
    assert accept(store, "E1", schedule=lambda uh, pipe: scheduled.append(uh))
    assert not accept(store, "E1", schedule=lambda uh, pipe: scheduled.append(uh))
    assert scheduled == ["u1"]
    assert store.pop_pending("u1") is not None and store.pop_pending("u1") is None


def test_a_failed_schedule_undoes_everything(store) -> None:
    def broken(uh, pipe):
        raise RuntimeError("queue down")

    with pytest.raises(RuntimeError):
        accept(store, "E2", schedule=broken)
    assert not store.has_pending("u1")
    assert accept(store, "E2")  # the redelivery is not mistaken for a duplicate


def test_pending_events_come_out_in_line_timestamp_order(store) -> None:
    for ts, eid in [(30, "c"), (10, "a"), (20, "b")]:
        accept(store, eid, ts=ts, payload=eid)
    assert [store.pop_pending("u1") for _ in range(4)] == ["a", "b", "c", None]


def test_one_lock_holder_per_user(store) -> None:
    token = store.try_lock("u1")
    assert token and store.try_lock("u1") is None
    assert store.try_lock("u2") is not None  # other users run in parallel
    store.unlock("u1", "someone-else")
    assert store.try_lock("u1") is None
    store.unlock("u1", token)
    assert store.try_lock("u1") is not None


def test_ping(store) -> None:
    assert store.ping() is True


def test_review_items_by_user(store) -> None:
    store.add_review("u1", {"text": "ก"})
    store.add_review("u1", {"text": "ข"})
    store.add_review("u2", {"text": "ค"})
    assert sorted(i["text"] for _, i in store.reviews()) == ["ก", "ข", "ค"]
    store.delete_reviews("u1")
    assert store.reviews() == [("u2", {"text": "ค"})]
