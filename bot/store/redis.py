"""Redis store: all state shared by web and worker processes on any number of hosts."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import redis

from bot.store.base import DAY, INDEXES, REVIEW_TTL, Schedule, per_user_kinds, ttl_of

# Compare-and-delete, so a worker never frees a lock that expired and passed to another.
_UNLOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# Lowest score first; ZPOPMIN is atomic, so two workers never take the same event.


class RedisStore:
    def __init__(self, client: redis.Redis) -> None:
        self.r = client
        self._unlock = client.register_script(_UNLOCK)

    @classmethod
    def from_url(cls, url: str) -> RedisStore:
        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3))

    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except redis.RedisError:
            return False

    def accept(self, event_id: str, uh: str, ts: int, payload: str, schedule: Schedule) -> bool:
        dedupe = f"dip:dedupe:{event_id}"
        if not self.r.set(dedupe, 1, nx=True, ex=2 * DAY):
            return False
        try:
            with self.r.pipeline(transaction=True) as pipe:
                pipe.multi()  # explicit MULTI, so RQ adds its commands to this transaction
                pipe.zadd(f"dip:pending:{uh}", {payload: ts})
                pipe.expire(f"dip:pending:{uh}", DAY)
                schedule(uh, pipe)
                pipe.execute()
        except Exception:
            # Undo the key so that LINE's redelivery is processed; the route answers 500.
            try:
                self.r.delete(dedupe)
            finally:
                raise
        return True

    def pop_pending(self, uh: str) -> str | None:
        got = self.r.zpopmin(f"dip:pending:{uh}", 1)
        if not got:
            return None
        member = got[0][0]
        return member.decode() if isinstance(member, bytes) else str(member)

    def has_pending(self, uh: str) -> bool:
        return bool(self.r.zcard(f"dip:pending:{uh}"))

    def try_lock(self, uh: str, ttl: int = 120) -> str | None:
        token = uuid.uuid4().hex
        return token if self.r.set(f"dip:lock:{uh}", token, nx=True, ex=ttl) else None

    def unlock(self, uh: str, token: str) -> None:
        self._unlock(keys=[f"dip:lock:{uh}"], args=[token])

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

    def erase(self, uh: str, id_sha256: str, at: str) -> None:
        with self.r.pipeline(transaction=True) as pipe:
            pipe.delete(*[f"dip:{kind}:{uh}" for kind in per_user_kinds()])
            for index in INDEXES:
                pipe.zrem(index, uh)
            pipe.hset("dip:erasures", id_sha256, at)
            pipe.execute()

    def erasures(self) -> dict[str, str]:
        return {_s(k): _s(v) for k, v in self.r.hgetall("dip:erasures").items()}

    def count_add(self, name: str, field: str, by: int) -> None:
        self.r.hincrby(name, field, by)

    def counts(self, name: str) -> dict[str, int]:
        return {_s(k): int(v) for k, v in self.r.hgetall(name).items()}


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
