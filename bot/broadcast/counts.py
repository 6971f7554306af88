"""A broadcast's delivery counts, added in the hash `dip:bcn:<id>` beside its record.

The record (`dip:bc:<id>`, bot/broadcast/records.py) keeps its counts as they were when it was
written (`targeted` when it started); what the batches added is in the hash, so the sending
threads never rewrite the shared record. STEP moves a batch's log entry from the state it was in
and adds its counts in one script: a count is never added twice, whoever retries.
"""

from __future__ import annotations

from typing import Any

STEP = """
local raw = redis.call('HGET', KEYS[1], ARGV[1])
local now = raw and cjson.decode(raw)['state'] or ''
if now ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
for k = 5, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[k], ARGV[k + 1]) end
return 1
"""


def counts_key(bid: str) -> str:
    return f"dip:bcn:{bid}"


def deltas(counts: dict[str, int], skipped_by: dict[str, int]) -> list[tuple[str, int]]:
    """The count fields to add to: the counts, then `skipped:<reason>` and `skipped` for each reason."""
    out = [(name, n) for name, n in counts.items() if n]
    out += [(f"skipped:{reason}", n) for reason, n in skipped_by.items() if n]
    skipped = sum(skipped_by.values())
    return [*out, ("skipped", skipped)] if skipped else out


def counted(rec: dict[str, Any], counts: dict[Any, Any]) -> dict[str, Any]:
    """The record with what its counts hash added to its counts."""
    rec = {**rec, "skipped_by": dict(rec["skipped_by"])}
    for raw_name, n in counts.items():
        name = raw_name.decode() if isinstance(raw_name, bytes) else raw_name
        if name.startswith("skipped:"):
            reason = name.split(":", 1)[1]
            rec["skipped_by"][reason] = rec["skipped_by"].get(reason, 0) + int(n)
        else:
            rec[name] = rec.get(name, 0) + int(n)
    return rec
