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
from collections.abc import Iterable
from typing import Any

from bot.store.base import SEGMENT_ALL, SEGMENT_TAG, segment_of
from domain.privacy import consent_status

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


def memberships(user: dict[str, Any] | None, profile: dict[str, Any] | None, consent_current: bool,
                leads: list[dict[str, Any]], catalog: Any) -> set[str]:  # fmt: skip
    """The index keys a user belongs in: none unless following and not opted out (a group or
    room is never a subscriber); only "all" and nothing else without current consent."""
    if not user or not user.get("following", True) or user.get("opted_out") or str(user.get("id") or "U")[0] != "U":
        return set()
    if not consent_current:
        return {SEGMENT_ALL}
    p = profile or {}
    found: list[tuple[str, Any]] = [("status", "consented"), ("track", p.get("track")), ("cohort", p.get("cohort"))]
    center = catalog.center_of.get(p.get("province")) if isinstance(p.get("province"), str) else None
    found += [("sector", p.get("sector_tag")), ("province", p["province"] if center else None)]
    found += [("center", center.id if center is not None else None)]
    found += [("status", "registered")] if leads else []
    found += [("status", "confirmed")] if any(x.get("status") == "confirmed" for x in leads) else []
    interests: list[Any] = p["interests"] if isinstance(p.get("interests"), list) else []
    found += [("program", x) for x in [*(lead.get("program") for lead in leads), *interests]]
    keys = {SEGMENT_ALL}
    for field, value in found:
        v = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
        if 0 < len(v) <= MAX_LEN and (field not in CHOICES or v in CHOICES[field]):
            keys.add(key(field, v))
    return keys


def turn_keys(user: dict[str, Any] | None, snap: dict[str, Any], notice: Any, catalog: Any) -> set[str]:
    """memberships() from a store snapshot (bot/store/base.py `snapshot`)."""
    current = bool(consent_status(snap.get("consent") or [], notice)["current"])
    return memberships(user, snap.get("profile"), current, snap.get("leads") or [], catalog)


def changed_keys(before_user: dict[str, Any] | None, before: dict[str, Any], user: dict[str, Any],
                 after: dict[str, Any], notice: Any, catalog: Any, force: bool = False) -> set[str] | None:  # fmt: skip
    """A turn's new memberships, or None when they cannot have changed (nothing stored changed:
    the same snapshot object, the same following and opt-out) or did not change."""
    watched = ("following", "opted_out", "id")
    if not force and after is before and before_user and all(user.get(k) == before_user.get(k) for k in watched):
        return None
    now = turn_keys(user, after, notice, catalog)
    return now if force or now != turn_keys(before_user, before, notice, catalog) else None


def reindex(segments: Segments, store: Any, uh: str, notice: Any, catalog: Any) -> None:
    """A user's memberships recomputed from what is stored (another user's record changed)."""
    snap = store.snapshot(uh)
    segments.update(uh, turn_keys(snap.get("user"), snap, notice, catalog))


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
        parts, tmps = [SEGMENT_ALL], []
        for field, values in seg.items():
            if len(values) > 1:
                tmps.append(f"{SEGMENT_TAG}:tmp:{uuid.uuid4().hex}")
                pipe.sunionstore(tmps[-1], [key(field, v) for v in values])
                pipe.expire(tmps[-1], TMP_SECONDS)
            parts.append(tmps[-1] if len(values) > 1 else key(field, values[0]))
        if not count:
            pipe.sinter(parts)
        elif len(parts) == 1:
            pipe.scard(SEGMENT_ALL)
        else:
            pipe.sintercard(len(parts), parts)
        if tmps:
            pipe.delete(*tmps)
        return pipe.execute()[-2 if tmps else -1]


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
