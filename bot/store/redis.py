"""Redis store: all state shared by web and worker processes on any number of hosts."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

from bot.store.base import (
    CASES_OPEN,
    DAY,
    FOLLOWUP_TTL,
    INDEXES,
    REVIEW_TTL,
    SEGMENT_ALL,
    TurnSave,
    opened_at,
    per_user_kinds,
    segment_of,
    ttl_of,
)


class RedisStore:
    def __init__(self, client: redis.Redis, partitions: int = 32) -> None:
        self.r, self.partitions = client, partitions

    @classmethod
    def from_url(cls, url: str, partitions: int = 32) -> RedisStore:
        client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3, health_check_interval=10)
        return cls(client, partitions)

    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

    def snapshot(self, uh: str) -> dict[str, Any]:
        """One round trip for what a turn reads."""
        pipe = self.r.pipeline(transaction=False)
        for kind in ("user", "state"):
            pipe.get(f"dip:{kind}:{uh}")
        pipe.lrange(f"dip:consent:{uh}", 0, -1)
        for kind in ("profile", "draft"):
            pipe.get(f"dip:{kind}:{uh}")
        pipe.lrange(f"dip:leads:{uh}", 0, -1)
        pipe.get(f"dip:heard:{uh}")
        user, state, consent, profile, draft, leads, heard = pipe.execute()
        one = lambda raw: json.loads(raw) if raw is not None else None  # noqa: E731
        return {
            "user": one(user),
            "state": one(state),
            "consent": [json.loads(x) for x in consent],
            "profile": one(profile),
            "draft": one(draft),
            "leads": [json.loads(x) for x in leads],
            "heard": one(heard),
        }

    def save_turn(self, uh: str, turn: TurnSave) -> None:
        pipe = self.r.pipeline(transaction=False)
        if turn.before is not None:
            pipe.set(f"dip:undo:{uh}", json.dumps(turn.before, ensure_ascii=False), ex=ttl_of("undo"))
        if turn.user is not None:
            pipe.set(f"dip:user:{uh}", json.dumps(turn.user, ensure_ascii=False))
        if turn.state is not None:
            pipe.set(f"dip:state:{uh}", json.dumps(turn.state, ensure_ascii=False), ex=ttl_of("state"))
        if turn.replying:
            pipe.set(f"dip:sent:{turn.replying}", "started", ex=2 * DAY)
        if len(pipe):
            pipe.execute()

    def mark(self, event_id: str, value: str) -> None:
        self.r.set(f"dip:sent:{event_id}", value, ex=2 * DAY)

    def marked(self, event_id: str) -> str | None:
        raw = self.r.get(f"dip:sent:{event_id}")
        return _s(raw) if raw is not None else None

    def incr_window(self, key: str, ttl: int) -> int:
        pipe = self.r.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, ttl)
        return int(pipe.execute()[0])

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        raw = self.r.get(f"dip:{kind}:{key}")
        return json.loads(raw) if raw is not None else None

    def put(self, kind: str, key: str, value: dict[str, Any], ttl: int | None = None) -> None:
        ttl = ttl if ttl is not None else ttl_of(kind)
        self.r.set(f"dip:{kind}:{key}", json.dumps(value, ensure_ascii=False), ex=ttl or None)

    def delete(self, kind: str, key: str) -> None:
        self.r.delete(f"dip:{kind}:{key}")

    def add_review(self, uh: str, item: dict[str, Any], ttl: int = REVIEW_TTL) -> None:
        now = time.time()
        with self.r.pipeline(transaction=True) as pipe:
            pipe.rpush(f"dip:review:{uh}", json.dumps(item, ensure_ascii=False))
            pipe.expire(f"dip:review:{uh}", ttl)
            pipe.zadd("dip:review-index", {uh: now})
            pipe.zremrangebyscore("dip:review-index", 0, now - ttl)
            pipe.execute()

    def reviews(self) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        for raw_uh in self.r.zrange("dip:review-index", 0, -1):
            uh = raw_uh.decode() if isinstance(raw_uh, bytes) else str(raw_uh)
            out += [(uh, json.loads(raw)) for raw in self.r.lrange(f"dip:review:{uh}", 0, -1)]
        return out

    def delete_reviews(self, uh: str) -> None:
        with self.r.pipeline(transaction=True) as pipe:
            pipe.delete(f"dip:review:{uh}")
            pipe.zrem("dip:review-index", uh)
            pipe.execute()

    def append(self, kind: str, key: str, item: dict[str, Any], ttl: int | None = None) -> None:
        ttl = ttl or ttl_of(kind)
        with self.r.pipeline(transaction=True) as pipe:
            pipe.rpush(f"dip:{kind}:{key}", json.dumps(item, ensure_ascii=False))
            if ttl:
                pipe.expire(f"dip:{kind}:{key}", ttl)
            pipe.execute()

    def items(self, kind: str, key: str) -> list[dict[str, Any]]:
        return [json.loads(raw) for raw in self.r.lrange(f"dip:{kind}:{key}", 0, -1)]

    def replace_items(self, kind: str, key: str, items: list[dict[str, Any]], ttl: int | None = None) -> None:
        ttl = ttl or ttl_of(kind)
        with self.r.pipeline(transaction=True) as pipe:
            pipe.delete(f"dip:{kind}:{key}")
            if items:
                pipe.rpush(f"dip:{kind}:{key}", *[json.dumps(i, ensure_ascii=False) for i in items])
                if ttl:
                    pipe.expire(f"dip:{kind}:{key}", ttl)
            pipe.execute()

    def index_add(self, index: str, uh: str) -> None:
        self.r.zadd(index, {uh: time.time()})

    def index_members(self, index: str) -> list[str]:
        return [m.decode() if isinstance(m, bytes) else str(m) for m in self.r.zrange(index, 0, -1)]

    def open_case(self, case_id: str, uh: str, record: dict[str, Any]) -> None:
        key, value = f"dip:case:{case_id}", json.dumps({**record, "uh": uh}, ensure_ascii=False)
        if record.get("kind") == "followup":
            self.r.set(key, value, ex=FOLLOWUP_TTL)
            return
        with self.r.pipeline(transaction=True) as pipe:
            pipe.set(key, value)
            pipe.zadd(CASES_OPEN, {case_id: opened_at(record)})
            pipe.execute()

    def close_case(self, case_id: str) -> None:
        with self.r.pipeline(transaction=True) as pipe:
            pipe.delete(f"dip:case:{case_id}")
            pipe.zrem(CASES_OPEN, case_id)
            pipe.execute()

    def open_cases(self) -> list[tuple[str, dict[str, Any]]]:
        ids = self.index_members(CASES_OPEN)
        raws = self.r.mget([f"dip:case:{i}" for i in ids]) if ids else []
        if gone := [i for i, raw in zip(ids, raws, strict=True) if raw is None]:
            self.r.zrem(CASES_OPEN, *gone)  # a record deleted alone (a worker of an older version)
        return [(i, json.loads(raw)) for i, raw in zip(ids, raws, strict=True) if raw is not None]

    def erase(self, uh: str, id_sha256: str, at: str) -> None:
        self._erase_events(uh)
        segments = {_s(k) for k in self.r.smembers(segment_of(uh))} | {SEGMENT_ALL}
        cases = [i for i, record in self.open_cases() if record.get("uh") == uh]  # also after the state expired
        with self.r.pipeline(transaction=True) as pipe:
            pipe.delete(*[f"dip:{kind}:{uh}" for kind in per_user_kinds()], segment_of(uh))
            if cases:
                pipe.delete(*[f"dip:case:{i}" for i in cases])
                pipe.zrem(CASES_OPEN, *cases)
            for index in INDEXES:
                pipe.zrem(index, uh)
            for name in sorted(segments):  # the broadcast segment index (bot/broadcast/segments.py)
                pipe.srem(name, uh)
            pipe.hset("dip:erasures", id_sha256, at)
            pipe.execute()

    def _erase_events(self, uh: str) -> None:
        """The user's events still in their partition and in the dead-letter stream."""
        from bot.events import partition_of
        from bot.events.streams import stream_key

        r: Any = self.r
        for stream in (stream_key(partition_of(uh, self.partitions)), "dip:dead"):
            ids = [i for i, fields in r.xrange(stream) if fields and fields.get(b"uh") == uh.encode()]
            if ids:
                r.xdel(stream, *ids)

    def erasures(self) -> dict[str, str]:
        return {_s(k): _s(v) for k, v in self.r.hgetall("dip:erasures").items()}

    def count_add(self, name: str, field: str, by: int) -> None:
        self.r.hincrby(name, field, by)

    def counts(self, name: str) -> dict[str, int]:
        return {_s(k): int(v) for k, v in self.r.hgetall(name).items()}


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
