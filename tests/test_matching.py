"""Program and mentor matching and the KPIs: deterministic, with the date passed in."""

from __future__ import annotations

from datetime import date

from domain.catalog import Catalog
from domain.kpi import compute, fiscal_year
from domain.matching import rank
from domain.mentors import best

CAT = Catalog()
TODAY = date(2026, 11, 26)
RICE_KK = {
    "track": "agro",
    "province": "ขอนแก่น",
    "sector_tag": "rice",
    "stage": "growing",
    "employees": 12,
    "registration_no": None,
}


def ids(matches) -> list[str]:
    return [m.program.id for m in matches]


def test_a_closed_window_is_never_offered_and_not_yet_open_neither() -> None:
    closed = [p.id for p in CAT.programs if p.window.closes and p.window.closes < TODAY]
    later = [p.id for p in CAT.programs if p.window.opens and p.window.opens > TODAY]
    assert closed and later
    for profile in (RICE_KK, {}, {"track": "creative"}, {"track": "smart"}):
        fits, near = rank(CAT.programs, profile, TODAY)
        assert not set(closed + later) & set(ids(fits) + ids(near))


def test_a_rice_mill_gets_agro_and_cross_track_programs_with_reasons() -> None:
    fits, near = rank(CAT.programs, RICE_KK, TODAY, "northeast")
    tracks = {m.program.track for m in fits}
    assert tracks <= {"agro", "cross"} and "agro" in tracks
    assert fits[0].program.track == "agro" and any(r.key == "track" for r in fits[0].fits)
    assert all(len(m.misses) == 1 for m in near)
    assert rank(CAT.programs, RICE_KK, TODAY, "northeast") == (fits, near)  # deterministic


def test_a_near_miss_says_what_is_missing() -> None:
    from domain.matching import assess

    p = next(p for p in CAT.programs if p.eligibility.registered_business and p.window.open_on(TODAY))
    e = p.eligibility
    profile = {
        "track": p.track if p.track != "cross" else "agro",
        "sector_tag": (e.sectors or [None])[0],
        "stage": (e.stages or ["growing"])[0],
        "employees": e.employees_min,
        "registration_no": None,
    }
    m = assess(p, profile, TODAY, None)
    assert m is not None and [r.key for r in m.misses] == ["registered_no"]
    assert assess(p, {**profile, "registration_no": "0105561234567"}, TODAY, None).ok


def test_a_deadline_within_30_days_is_a_reason_with_days_left() -> None:
    soon = [p for p in CAT.programs if p.window.closes and 0 <= (p.window.closes - TODAY).days <= 30]
    assert soon
    p = soon[0]
    fits, near = rank(CAT.programs, {"track": p.track if p.track != "cross" else "agro"}, TODAY)
    m = next(m for m in fits + near if m.program.id == p.id)
    reason = next(r for r in m.fits if r.key == "soon")
    assert reason.args["days"] == (p.window.closes - TODAY).days


def test_the_deadline_is_shown_in_thai_buddhist_era(bot, user) -> None:
    from tests.support.harness import texts

    said = texts(bot.say(user, "ก"))
    assert ("2569" in said or "2570" in said) and "2026" not in said


def test_mentors_prefer_the_previous_cohort_sector_and_region_and_respect_capacity() -> None:
    ranked = best(CAT.mentors, RICE_KK, "northeast", {}, "agro")
    assert ranked[0].id == "m-001" and all(m.track == "agro" and m.active for m in ranked)
    full = {"m-001": next(m.capacity for m in CAT.mentors.mentors if m.id == "m-001")}
    assert best(CAT.mentors, RICE_KK, "northeast", full, "agro")[0].id != "m-001"
    cohort3 = [m for m in CAT.mentors.mentors if m.cohort == CAT.mentors.current_cohort - 1 and m.track == "smart"]
    smart = best(CAT.mentors, {"track": "smart"}, None, {}, "smart")
    assert smart[0].cohort == CAT.mentors.current_cohort - 1 or not cohort3


def lead(uh: str, at: str, status: str = "submitted", **fields) -> tuple[str, dict]:
    base = {"track": "agro", "province": "ขอนแก่น", "business_name": "โรงสี ก", "products": 3}
    return uh, {"id": f"R{uh}", "at": at, "status": status, "center": "ipc5", "fields": {**base, **fields}}


def test_kpis_count_leads_and_confirmed_apart_and_dedupe_businesses() -> None:
    leads = [
        lead("a", "2026-11-01T10:00:00+07:00", "confirmed"),
        lead("b", "2026-11-02T10:00:00+07:00", "confirmed", business_name="โรงสี ก"),  # same business, 2nd owner
        lead("c", "2026-12-01T10:00:00+07:00", registration_no="0105561234567", business_name="X", products=5),
        lead("d", "2026-09-30T10:00:00+07:00", "confirmed"),  # fiscal year 2569: not counted in 2570
    ]
    groups = [{"at": "2026-10-05T09:00:00+07:00", "track": "agro", "center": "ipc5"}]
    r = compute(leads, groups, 2570)
    assert r.leads["total"].row() == (3, 2, 8)
    assert r.confirmed["total"].row() == (2, 1, 3)
    assert r.confirmed["total"].groups == 1 and r.confirmed["center:ipc5"].row() == (2, 1, 3)
    assert fiscal_year(date(2026, 10, 1)) == 2570 and fiscal_year(date(2026, 9, 30)) == 2569
