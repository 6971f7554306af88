"""Redis Streams, the web side: accept events in one round trip (dedupe + append, atomically).

Keys (bot/store/base.py KEYS): `dip:dedupe:<event id>` (2 days) and the partition streams
`dip:ev:<n>`, whose entries hold the user's HMAC, the event ID and the event JSON (user ID and
text: personal data) until a worker has processed them and deleted them.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any

from redis.exceptions import NoScriptError

from bot.events import partition_of

GROUP = "workers"
DEDUPE_SECONDS = 2 * 86_400  # LINE redelivers within a day; duplicates come within minutes
# Set the dedupe key and append to the stream, or do nothing: one atomic step per event.
ACCEPT = """
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then
  redis.call('XADD', KEYS[2], '*', 'uh', ARGV[2], 'id', ARGV[3], 'ev', ARGV[4])
  return 1
end
return 0
"""


def stream_key(partition: int) -> str:
    return f"dip:ev:{partition}"


class StreamQueue:
    """What the webhook calls. `accept` raises when Redis is unreachable: the route answers 500
    and LINE redelivers (a partly written body is deduplicated on redelivery).

    The acknowledgement is measured (`make bench`), and on a busy host the round trip to Redis,
    not the work around it, is what costs (every wait is a sleep and a wake of a thread in both
    processes). So the web threads of a process commit together: the thread that finds no write
    in flight leads, sending every event waiting at that moment as EVALSHAs in one write on its
    connection and reading their answers together, while threads arriving meanwhile wait for
    the next leader. Alone, a request pays one round trip, as before; under load a round trip
    carries several requests. Straight EVALSHA on a raw connection: redis-py's Script layer asks
    SCRIPT EXISTS before every pipeline."""

    def __init__(self, client: Any, partitions: int) -> None:
        self.r, self.partitions = client, partitions
        self.sha = hashlib.sha1(ACCEPT.encode()).hexdigest()
        self.lock = threading.Lock()
        self.waiting: list[_Commit] = []
        self.flushing = False
        self.conn: Any = None

    def accept(self, items: list[tuple[str, str, str]]) -> list[bool]:
        """items: (event_id, uh, payload); returns which were new."""
        if not items:
            return []
        mine = _Commit(items)
        with self.lock:
            self.waiting.append(mine)
            lead = not self.flushing
            self.flushing = True
        if not lead:
            mine.done.wait()
            if not mine.lead:
                return mine.outcome()
        with self.lock:  # leading: everything waiting now goes in one write
            batch, self.waiting = self.waiting, []
        try:
            self._commit(batch)
        finally:
            with self.lock:
                if self.waiting:  # arrived meanwhile: the first of them leads the next write
                    self.waiting[0].lead = True
                    self.waiting[0].done.set()
                else:
                    self.flushing = False
        return mine.outcome()

    def _commit(self, batch: list[_Commit]) -> None:
        items = [item for c in batch for item in c.items]
        try:
            try:
                answers = self._send(items)
            except NoScriptError:  # a Redis restarted empty of scripts: load it once, send again
                self.r.script_load(ACCEPT)
                answers = self._send(items)
        except Exception as e:
            for c in batch:
                c.error = e
        else:
            at = 0
            for c in batch:
                c.result, at = answers[at : at + len(c.items)], at + len(c.items)
        for c in batch:
            c.lead = False
            c.done.set()

    def _send(self, items: list[tuple[str, str, str]]) -> list[bool]:
        if self.conn is None or self.conn.pid != os.getpid():  # a connection of this process (gunicorn forks)
            self.conn = self.r.connection_pool.make_connection()
        conn = self.conn
        commands = [
            ("EVALSHA", self.sha, 2, f"dip:dedupe:{eid}", stream_key(partition_of(uh, self.partitions)),
             DEDUPE_SECONDS, uh, eid, payload)
            for eid, uh, payload in items
        ]  # fmt: skip
        try:
            conn.send_packed_command(conn.pack_commands(commands))
            replies = [conn.read_response(disable_decoding=True) for _ in commands]
        except NoScriptError:
            conn.disconnect()  # answers left unread: start clean
            raise
        except Exception:
            conn.disconnect()  # the next request reconnects
            raise
        for reply in replies:
            if isinstance(reply, Exception):
                raise reply
        return [bool(x) for x in replies]

    def ping(self) -> bool:
        try:
            return bool(self.r.ping())
        except Exception:
            return False


class _Commit:
    """One request's events waiting to be written, and what came of them."""

    __slots__ = ("done", "error", "items", "lead", "result")

    def __init__(self, items: list[tuple[str, str, str]]) -> None:
        self.items, self.done, self.lead = items, threading.Event(), False
        self.result: list[bool] = []
        self.error: Exception | None = None

    def outcome(self) -> list[bool]:
        if self.error is not None:
            raise self.error
        return [bool(x) for x in self.result]


def ensure_groups(client: Any, partitions: int) -> None:
    """Create the consumer group on every partition (from the start: entries written before the
    first worker ever ran are read too)."""
    for p in range(partitions):
        try:
            client.xgroup_create(stream_key(p), GROUP, id="0", mkstream=True)
        except Exception as e:  # BUSYGROUP: it exists
            if "BUSYGROUP" not in str(e):
                raise


def backlog(client: Any, partitions: int) -> tuple[int, float]:
    """(events waiting, age in seconds of the oldest): stream IDs start with their time in ms."""
    import time

    pipe = client.pipeline(transaction=False)
    for p in range(partitions):
        pipe.xlen(stream_key(p))
        pipe.xrange(stream_key(p), count=1)
    replies = pipe.execute()
    depth = sum(replies[0::2])
    firsts = [int(r[0][0].decode().split("-")[0]) for r in replies[1::2] if r]
    age = max(0.0, time.time() - min(firsts) / 1000) if firsts else 0.0
    return depth, age
