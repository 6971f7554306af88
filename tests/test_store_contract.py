"""One contract for both stores; Redis runs against a real redis-server (`make test`)."""

from __future__ import annotations

import pytest

from bot.store.memory import MemoryStore


@pytest.fixture(params=["memory", "redis"])
def store(request):
    if request.param == "memory":
        return MemoryStore()
    from bot.store.redis import RedisStore

    request.getfixturevalue("redis_client")
    return RedisStore.from_url(request.getfixturevalue("redis_url"))


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


def test_reply_marks_and_rate_windows(store) -> None:
    assert store.marked("E1") is None
    store.mark("E1", "started")
    store.mark("E1", "done")
    assert store.marked("E1") == "done" and store.marked("E2") is None
    assert [store.incr_window("dip:alerts:202611251000:staff", 120) for _ in range(3)] == [1, 2, 3]


def test_ping(store) -> None:
    assert store.ping() is True


def test_review_items_by_user(store) -> None:
    store.add_review("u1", {"text": "ก"})
    store.add_review("u1", {"text": "ข"})
    store.add_review("u2", {"text": "ค"})
    assert sorted(i["text"] for _, i in store.reviews()) == ["ก", "ข", "ค"]
    store.delete_reviews("u1")
    assert store.reviews() == [("u2", {"text": "ค"})]
