"""What the dashboard reads about people, and the funnel it draws from it.

followers -> consented -> registered -> matched to a program -> mentored -> confirmed participant:
- followers: the active subscribers (following, not opted out: the broadcast index's "all" set,
  one SCARD); not attributable to a center (a follower has told the bot nothing yet);
- consented: of those, consent current (the index's "status:consented" set; for a center, with a
  profile in its provinces: one SINTERCARD);
- registered: people with a registration dated in the fiscal year (their leads, dip:lead-index);
- matched: of those, tied to a program: the registration names one (applied from a program's
  card) or their profile lists program interests;
- mentored: people whose Big Brother introduction asked for in the year was approved by staff
  (the request in their profile, status kept in step with dip:intro by bot/effects.py);
- confirmed: people with a registration in the year that staff confirmed (the KPIs' entrepreneurs).
A center's funnel counts registrations sent to that center and mentees whose profile is in it.

The steps are counted each from its own records, so they need not nest (an unfollowed registrant
still counts as registered). Only people who consented or registered are read, 1,000 a round trip
on Redis: 20,000 of them in 36 round trips, about 0.25 s (tests/test_console_dashboard.py
measures it); a profile is decoded only when it holds interests or an approved introduction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.broadcast.segments import Segments
from domain.kpi import fiscal_year

STEPS = ("followers", "consented", "registered", "matched", "mentored", "confirmed")
CHUNK = 1000


@dataclass
class People:
    leads: dict[str, list[dict[str, Any]]]  # user HMAC -> registrations (only those who have some)
    profiles: dict[str, dict[str, Any]]  # user HMAC -> profile (on Redis: those the funnel reads, below)


LISTS = "local out = {} for i, k in ipairs(KEYS) do out[i] = redis.call('LRANGE', k, 0, -1) end return out"
NEEDED = (b'"interests"', b'"approved"')  # a profile the funnel reads: program interests, an approved mentor


def load(store: Any) -> People:
    """Leads of everyone with a registration and profiles of them and everyone whose consent is
    current, 1,000 people a round trip on Redis (the leads by a script: half the time of a pipeline)."""
    registered = store.index_members("dip:lead-index")
    uhs = sorted(set(registered) | set(Segments(store).members({"status": "consented"})))
    r = getattr(store, "r", None)
    if r is None:
        leads = {uh: store.items("leads", uh) for uh in registered}
        profiles = {uh: p for uh in uhs if (p := store.get("profile", uh)) is not None}
        return People({k: v for k, v in leads.items() if v}, profiles)
    people, lists = People({}, {}), r.register_script(LISTS)
    for i in range(0, len(registered), CHUNK):
        part = registered[i : i + CHUNK]
        for uh, items in zip(part, lists(keys=[f"dip:leads:{uh}" for uh in part]), strict=True):
            if items:
                people.leads[uh] = [json.loads(x) for x in items]
    for i in range(0, len(uhs), CHUNK):
        part = uhs[i : i + CHUNK]
        for uh, raw in zip(part, r.mget([f"dip:profile:{uh}" for uh in part]), strict=True):
            if raw is not None and any(n in raw for n in NEEDED):  # most profiles need no decoding
                people.profiles[uh] = json.loads(raw)
    return people


def pairs(people: People) -> list[tuple[str, dict[str, Any]]]:
    """(user HMAC, lead) for domain.kpi.compute."""
    return [(uh, lead) for uh, leads in people.leads.items() for lead in leads]


def in_year(at: Any, fy: int) -> bool:
    try:
        return fiscal_year(datetime.fromisoformat(str(at))) == fy
    except ValueError:
        return False


def _approved(request: Any, fy: int) -> bool:
    return isinstance(request, dict) and request.get("status") == "approved" and in_year(request.get("at"), fy)


def count(people: People, store: Any, fy: int, center: str | None, center_of: Any) -> list[tuple[str, int | None]]:
    """The funnel's steps and how many people reached each (None: not known for a center)."""
    segments = Segments(store)
    followers = None if center else segments.count(None)
    consented = segments.count({"status": "consented", **({"center": center} if center else {})})
    registered = matched = confirmed = 0
    for uh, leads in people.leads.items():
        mine = [x for x in leads if in_year(x.get("at"), fy) and center in (None, x.get("center"))]
        if not mine:
            continue
        registered += 1
        interests = (people.profiles.get(uh) or {}).get("interests")
        matched += any(x.get("program") for x in mine) or bool(interests and isinstance(interests, list))
        confirmed += any(x.get("status") == "confirmed" for x in mine)
    mentored = 0
    for p in people.profiles.values():
        requests = p.get("mentor_requests")
        if not isinstance(requests, list) or not any(_approved(r, fy) for r in requests):
            continue
        home = center_of.get(p.get("province")) if isinstance(p.get("province"), str) else None
        mentored += center is None or (home is not None and home.id == center)
    steps = (followers, consented, registered, matched, mentored, confirmed)
    return list(zip(STEPS, steps, strict=True))
