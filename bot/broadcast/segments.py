"""Who a broadcast reaches: the segment index, one set of HMAC keys per field value.

`dip:{seg}:all` holds the active subscribers (following, not opted out of announcements; with or
without consent); `dip:{seg}:<field>:<value>` the active subscribers whose consent is current
and whose profile or registrations have that value; `dip:{seg}:of:<uh>` the sets a user is in,
so an update is a diff and erasure leaves nothing. One hash tag, so every key combines on a
cluster. A segment is {field: value or list}: OR within a field, AND across fields, always
within "all". The worker keeps the index current after each turn (bot/dispatcher.py `_index`)
and after a staff status change (bot/effects.py `_lead_status`).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from bot.store.base import SEGMENT_ALL, SEGMENT_TAG, segment_of

FIELDS = ("track", "province", "center", "status", "program", "cohort", "sector")
CENTERS = ("hq", *(f"ipc{n}" for n in range(1, 12)))
STATUSES = ("consented", "registered", "confirmed")  # consent current, has a registration, staff confirmed one
CHOICES = {"track": ("agro", "creative", "smart"), "center": CENTERS, "status": STATUSES}
MAX_VALUES, MAX_LEN, TMP_SECONDS = 100, 100, 60
# KEYS[1] the user's "of" set, KEYS[2] "all", KEYS[3..] the sets the user belongs in now; ARGV[1] uh.
UPDATE = """local keep = {}
for i = 3, #KEYS do keep[KEYS[i]] = true end
local old = redis.call('SMEMBERS', KEYS[1])
table.insert(old, KEYS[2])
for _, k in ipairs(old) do if not keep[k] then redis.call('SREM', k, ARGV[1]) end end
redis.call('DEL', KEYS[1])
for i = 3, #KEYS do redis.call('SADD', KEYS[i], ARGV[1]) end
if #KEYS > 2 then redis.call('SADD', KEYS[1], unpack(KEYS, 3)) end
return #KEYS - 2"""
# KEYS[1] a list to fill with the members of the intersection of KEYS[2..] (sets); returns how many.
COPY = """local m = redis.call('SINTER', unpack(KEYS, 2))
for i = 1, #m, 5000 do redis.call('RPUSH', KEYS[1], unpack(m, i, math.min(i + 4999, #m))) end
return #m"""
_MEMORY = threading.Lock()  # the memory store's compound updates (one process)


class SegmentError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"segment.{field}: {message}")
        self.field = field


def key(field: str, value: str) -> str:
    return f"{SEGMENT_TAG}:{field}:{value}"


def parse_segment(d: dict[str, Any] | None, catalog: Any = None) -> dict[str, list[str]]:
    """A segment as staff write it, checked: {field: [values]} in FIELDS order; {} = everyone.
    With a catalog, provinces, centers and programs must be ones it knows."""
    if d is None:
        return {}
    if not isinstance(d, dict):
        raise SegmentError("segment", "must be an object of field: value or [values]")
    unknown = [f for f in d if f not in FIELDS]
    if unknown:
        raise SegmentError(str(unknown[0]), f"unknown field (fields: {', '.join(FIELDS)})")
    out: dict[str, list[str]] = {}
    for field in (f for f in FIELDS if f in d):
        raw = d[field]
        values = [raw] if isinstance(raw, str) else raw
        if not isinstance(values, list) or not values or len(values) > MAX_VALUES:
            raise SegmentError(field, f"a string or a list of 1 to {MAX_VALUES} strings")
        if not all(isinstance(v, str) and 0 < len(v.strip()) <= MAX_LEN for v in values):
            raise SegmentError(field, f"every value must be a non-empty string of at most {MAX_LEN} characters")
        clean = [_normal(field, v.strip()) for v in values]
        known = CHOICES.get(field) or _known(field, catalog)
        bad = [v for v in clean if known is not None and v not in known]
        if bad:
            choices = f" ({', '.join(CHOICES[field])})" if field in CHOICES else ""
            raise SegmentError(field, f"unknown value {bad[0]!r}{choices}")
        out[field] = list(dict.fromkeys(clean))
    return out


def _normal(field: str, value: str) -> str:
    if field in CHOICES:
        value = value.lower()
    return f"ipc{int(value)}" if field == "center" and value.isdigit() else value


def _known(field: str, catalog: Any) -> Any:
    if catalog is None:
        return None
    return {"province": catalog.province, "center": catalog.center_by_id, "program": catalog.by_id}.get(field)


class Segments:
    """The index over a store: Redis (`store.r`) or the memory store's sets."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.r = getattr(store, "r", None)
        self._update = self.r.register_script(UPDATE) if self.r is not None else None

    def update(self, uh: str, keys: set[str]) -> None:
        """The user is in exactly `keys` afterwards (one atomic script on Redis)."""
        if self._update is not None:
            self._update(keys=[segment_of(uh), SEGMENT_ALL, *sorted(keys)], args=[uh])
            return
        with _MEMORY:
            old = self.store.smembers(segment_of(uh)) | {SEGMENT_ALL}
            for k in old - keys:
                self.store.srem(k, uh)
            for k in keys:
                self.store.sadd(k, uh)
            self.store.srem(segment_of(uh), *(old - keys))
            self.store.sadd(segment_of(uh), *keys)

    def remove(self, uh: str) -> None:
        self.update(uh, set())

    def members(self, segment: dict[str, Any] | None) -> list[str]:
        """HMAC keys of the active subscribers the segment reaches, sorted."""
        return sorted(_s(m) for m in self._query(segment, count=False))

    def count(self, segment: dict[str, Any] | None) -> int:
        return int(self._query(segment, count=True))

    def active(self, uh: str) -> bool:
        return self.active_many([uh])[0]

    def active_many(self, uhs: Iterable[str]) -> list[bool]:
        """Which users are still active subscribers (one SMISMEMBER), in order."""
        uhs = list(uhs)
        if not uhs:
            return []
        if self.r is None:
            everyone = self.store.smembers(SEGMENT_ALL)
            return [uh in everyone for uh in uhs]
        return [bool(x) for x in self.r.smismember(SEGMENT_ALL, uhs)]

    def fill(self, segment: dict[str, Any] | None) -> Callable[[str], int]:
        """Writes the segment's members to a list and returns how many (Redis only): what
        Broadcasts.freeze takes. One script copies them inside Redis, so no member crosses the
        network (100,000 in about 0.1 s, against 0.25 s read out, sorted and written back)."""
        seg = parse_segment(segment)

        def into(dest: str) -> int:
            assert self.r is not None, "broadcasts need Redis"
            pipe = self.r.pipeline(transaction=False)
            parts, tmps = self._parts(pipe, seg)
            pipe.eval(COPY, 1 + len(parts), dest, *parts)
            if tmps:
                pipe.delete(*tmps)
            return int(pipe.execute()[-2 if tmps else -1])

        return into

    def _query(self, segment: dict[str, Any] | None, count: bool) -> Any:
        """ "all" intersected with each field's set, or with the union of its sets (on Redis in a
        temporary key, deleted in the same round trip and expiring anyway)."""
        seg = parse_segment(segment)
        if self.r is None:
            found: set[str] = self.store.smembers(SEGMENT_ALL)
            for field, values in seg.items():
                found &= set().union(*(self.store.smembers(key(field, v)) for v in values))
            return len(found) if count else found
        pipe = self.r.pipeline(transaction=False)
        parts, tmps = self._parts(pipe, seg)
        if not count:
            pipe.sinter(parts)
        elif len(parts) == 1:
            pipe.scard(SEGMENT_ALL)
        else:
            pipe.sintercard(len(parts), parts)
        if tmps:
            pipe.delete(*tmps)
        return pipe.execute()[-2 if tmps else -1]

    @staticmethod
    def _parts(pipe: Any, seg: dict[str, list[str]]) -> tuple[list[str], list[str]]:
        """The sets to intersect ("all" and one per field), a field's union of values in a
        temporary key made on `pipe`; and those temporary keys."""
        parts, tmps = [SEGMENT_ALL], []
        for field, values in seg.items():
            if len(values) > 1:
                tmps.append(f"{SEGMENT_TAG}:tmp:{uuid.uuid4().hex}")
                pipe.sunionstore(tmps[-1], [key(field, v) for v in values])
                pipe.expire(tmps[-1], TMP_SECONDS)
            parts.append(tmps[-1] if len(values) > 1 else key(field, values[0]))
        return parts, tmps


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
