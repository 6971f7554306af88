"""Application follow-up: which of a user's registrations and mentor requests have waited past
the agency's stated response time (working days, config/holidays.yml) with no answer yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

WAITING = {"submitted", "pending"}  # a registration not yet contacted; a mentor request not yet decided


@dataclass(frozen=True)
class Waiting:
    kind: str  # lead | mentor
    id: str
    at: str
    days: int  # working days waited
    late: bool
    followed: str | None  # the follow-up case already opened for it, when still open


def waiting(ctx: Any) -> list[Waiting]:
    cal, today = ctx.catalog.calendar, ctx.now.date()
    items = [("lead", x) for x in ctx.leads] + [("mentor", x) for x in (ctx.profile or {}).get("mentor_requests", [])]
    out = []
    for kind, x in items:
        if x.get("status", "submitted") not in WAITING:
            continue
        days = cal.working_days_between(datetime.fromisoformat(x["at"]).date(), today)
        case = x.get("followup")
        still_open = case if case and ctx.lookups.case(case) is not None else None
        out.append(Waiting(kind, x["id"], x["at"], days, days >= cal.response_working_days, still_open))
    return out


def case_record(ctx: Any, late: list[Waiting], center: Any) -> dict[str, Any]:
    """What staff see: the user consented (they have registrations), so the items and the center."""
    lines = [f"{w.kind} {w.id}: {w.days} working days" for w in late]
    return {
        "v": 1,
        "kind": "followup",
        "chat_id": ctx.incoming.chat_id,
        "opened": ctx.now.isoformat(),
        "lang": ctx.lang,
        "center": center.id if center else None,
        "items": [w.id for w in late],
        "context": "; ".join(lines)[:500],
    }
