"""The bot on real Redis: the webhook appends to the partition streams, and `queue.run()` drains
them with a real consumer (leases, consumer group, done records) in the test's thread."""

from __future__ import annotations

from typing import Any

from bot.events.consumer import Consumer
from bot.events.leases import Leases
from bot.events.streams import StreamQueue, ensure_groups
from bot.store.redis import RedisStore
from tests.support.harness import Bot

PARTITIONS = 4


class StreamDrain:
    """Runs the worker's consumer until the partitions are empty, then returns."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        r = bot.store.r
        ensure_groups(r, PARTITIONS)
        self.leases = Leases(r, PARTITIONS, lease_seconds=30)
        self.consumer = Consumer(r, self.leases, "test-consumer", bot.dispatcher.process, bot.dispatcher.apologize)
        self.leases.join(self.consumer.name)

    def run(self) -> int:
        done = 0
        while True:
            n = self.consumer.step(block_ms=0)
            done += n
            if n == 0 and not self.consumer.dirty and not self.consumer.paused:
                return done


class RedisBot(Bot):
    def __init__(self, classifier: Any, redis_url: str, **kw: Any) -> None:
        store = RedisStore.from_url(redis_url, PARTITIONS)
        super().__init__(classifier, store=store, **kw)
        self.client.application.extensions["dip"].queue = StreamQueue(store.r, PARTITIONS)
        self.queue = StreamDrain(self)  # type: ignore[assignment]


def every_key_and_value(r: Any) -> dict[str, str]:
    """All keys of the database with their values as text, whatever their type."""
    out: dict[str, str] = {}
    for raw in r.scan_iter(count=500):
        key = raw.decode()
        kind = r.type(raw).decode()
        if kind == "string":
            value: Any = r.get(raw)
        elif kind == "list":
            value = r.lrange(raw, 0, -1)
        elif kind == "hash":
            value = r.hgetall(raw)
        elif kind == "set":
            value = r.smembers(raw)
        elif kind == "zset":
            value = r.zrange(raw, 0, -1)
        elif kind == "stream":
            value = r.xrange(raw)
        else:
            value = f"<{kind}>"
        out[key] = repr(value)
    return out
