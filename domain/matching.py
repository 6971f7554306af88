"""Program matching: rank the catalog for one entrepreneur and say why, deterministically.

Closed windows (and ones not yet open) are never offered. A program fits when nothing in its
eligibility rules the profile out; a near miss fails exactly one rule, and says which. Unknown
profile fields never rule a program out (the form may not have asked yet).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

SOON_DAYS = 30


@dataclass(frozen=True)
class Reason:
    key: str  # texts key under match.*
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Match:
    program: Any  # domain.catalog.Program
    fits: tuple[Reason, ...]
    misses: tuple[Reason, ...]
    days_left: int | None

    @property
    def ok(self) -> bool:
        return not self.misses


def assess(program: Any, profile: dict[str, Any], today: date, region: str | None) -> Match | None:
    """None when the program is not for this person at all (closed, or another track)."""
    w, e = program.window, program.eligibility
    if not w.open_on(today):
        return None
    track = profile.get("track")
    if track and program.track not in (track, "cross"):
        return None
    fits: list[Reason] = []
    misses: list[Reason] = []
    if track and program.track == track:
        fits.append(Reason("track", {"track": track}))
    sector = profile.get("sector_tag")
    if e.sectors and sector:
        (fits if sector in e.sectors else misses).append(
            Reason("sector" if sector in e.sectors else "sector_no", {"sectors": e.sectors})
        )
    stage = profile.get("stage")
    if e.stages and stage:
        (fits if stage in e.stages else misses).append(
            Reason("stage" if stage in e.stages else "stage_no", {"stage": stage, "stages": e.stages})
        )
    employees = profile.get("employees")
    if employees is not None:
        inside = employees >= e.employees_min and (e.employees_max is None or employees <= e.employees_max)
        if e.employees_min or e.employees_max is not None:
            (fits if inside else misses).append(
                Reason("size" if inside else "size_no", {"min": e.employees_min, "max": e.employees_max})
            )
    if e.registered_business and "registration_no" in profile and not profile["registration_no"]:
        misses.append(Reason("registered_no"))
    if e.regions and region:
        (fits if region in e.regions else misses).append(
            Reason("region" if region in e.regions else "region_no", {"regions": e.regions})
        )
    days_left = (w.closes - today).days if w.closes else None
    if days_left is not None and days_left <= SOON_DAYS:
        fits.append(Reason("soon", {"closes": w.closes, "days": days_left}))
    return Match(program, tuple(fits), tuple(misses), days_left)


def rank(
    programs: list[Any],
    profile: dict[str, Any],
    today: date,
    region: str | None = None,
    kinds: tuple[str, ...] = ("program", "service", "training"),
) -> tuple[list[Match], list[Match]]:
    """(programs that fit, best first; near misses with one unmet rule)."""
    assessed = [m for p in programs if p.kind in kinds and (m := assess(p, profile, today, region))]

    def order(m: Match) -> tuple[int, int, int, str]:
        strong = sum(r.key in ("sector", "track") for r in m.fits)
        return (-strong, -len(m.fits), m.days_left if m.days_left is not None else 10_000, m.program.id)

    fits = sorted((m for m in assessed if m.ok), key=order)
    near = sorted((m for m in assessed if len(m.misses) == 1), key=order)
    return fits, near
