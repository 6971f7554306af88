"""Which segment index sets a user belongs in (bot/broadcast/segments.py holds the index), from
what is stored about them: their record, consent, profile and registrations."""

from __future__ import annotations

from typing import Any

from bot.broadcast.segments import CHOICES, MAX_LEN, Segments, key
from bot.store.base import SEGMENT_ALL
from domain.privacy import consent_status


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
