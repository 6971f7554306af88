"""The event pipeline: at-least-once delivery, per-user order, survives the death of any process.

- web: `queue.accept(items)` dedupes by webhookEventId and appends to the user's partition in one
  Redis round trip (a script per event, pipelined), then the route answers 200.
- Redis: partition streams `dip:ev:<n>` (n = hash of the user mod EVENT_PARTITIONS), one consumer
  group; a lease per partition says which consumer reads it, so one user's events run in order.
- worker: consumers take leases, take over a dead owner's pending entries (XAUTOCLAIM), process
  each event once (a per-event "done" record, reply markers, retry keys derived from the event),
  then acknowledge and delete it. An event that fails 3 times goes to the dead-letter stream.
- embedded mode: the same `process` on an in-process queue and worker thread (bot/events/memory.py).
"""

from __future__ import annotations

import zlib

DEFAULT_PARTITIONS = 32


def partition_of(uh: str, partitions: int) -> int:
    """The partition of a user: stable across processes and hosts (uh is the HMAC of the chat ID)."""
    return zlib.crc32(uh.encode()) % partitions
