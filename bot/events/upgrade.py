"""The upgrade from the v1 pipeline (a per-user sorted set `dip:pending:<uh>` of events by LINE
timestamp, and one RQ job per event on the queue `dip-events`): at worker start, the waiting
events move to their partition stream in timestamp order and the old keys and jobs are deleted,
so nothing acknowledged before the upgrade is lost. One worker does it at a time."""

from __future__ import annotations

import json
import logging
from typing import Any

from bot.events import partition_of
from bot.events.streams import stream_key

log = logging.getLogger(__name__)
OLD_QUEUE = "dip-events"


def upgrade(client: Any, partitions: int) -> int:
    if not client.set("dip:upgrade", 1, nx=True, ex=600):
        return 0  # another worker is at it
    moved = 0
    try:
        for raw in client.scan_iter(match="dip:pending:*", count=500):
            key = raw.decode()
            uh = key.removeprefix("dip:pending:")
            if client.type(raw) != b"zset":
                continue
            for payload in client.zrange(key, 0, -1):
                event = json.loads(payload)
                fields = {"uh": uh, "id": str(event.get("webhookEventId", "")), "ev": payload}
                client.xadd(stream_key(partition_of(uh, partitions)), fields)
                moved += 1
            client.delete(key)
        for raw in client.scan_iter(match="dip:lock:*", count=500):
            client.delete(raw)
        moved_jobs = _drop_old_jobs(client)
        if moved or moved_jobs:
            log.info("upgrade: %d waiting events moved to the streams, %d old jobs deleted", moved, moved_jobs)
    finally:
        client.delete("dip:upgrade")
    return moved


def _drop_old_jobs(client: Any) -> int:
    """v1 jobs only named the user (their events were in dip:pending): delete them."""
    from rq import Queue

    queue = Queue(OLD_QUEUE, connection=client)
    n = len(queue)
    if n:
        queue.empty()
    return n
