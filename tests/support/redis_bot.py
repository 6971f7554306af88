"""The bot on real Redis with RQ, drained by a SimpleWorker in the test's thread."""

from __future__ import annotations

from typing import Any

from bot import jobs
from bot.privacy import erase_rq_jobs
from bot.store.redis import RedisStore
from bot.worker import QUEUE_NAME, RQScheduler
from tests.support.harness import Bot


class RQDrain:
    """Runs every queued RQ job now, as the production worker would, then returns."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    def run(self) -> None:
        from rq import Queue, SimpleWorker

        jobs.install(self.bot.store, self.bot.dispatcher.process)
        queue = Queue(QUEUE_NAME, connection=self.bot.store.r)
        SimpleWorker([queue], connection=self.bot.store.r).work(burst=True, logging_level="WARNING")


class RedisBot(Bot):
    def __init__(self, classifier: Any, redis_url: str, **kw: Any) -> None:
        store = RedisStore.from_url(redis_url)
        super().__init__(classifier, store=store, **kw)
        self.client.application.extensions["dip"].schedule = RQScheduler(store.r)
        self.dispatcher.d.on_erase = lambda uh: erase_rq_jobs(store.r, uh, QUEUE_NAME)
        self.queue = RQDrain(self)  # type: ignore[assignment]


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
        else:
            value = f"<{kind}>"
        out[key] = repr(value)
    return out
