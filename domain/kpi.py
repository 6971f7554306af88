"""KPIs against the yearly targets, counted honestly, by Thai fiscal year.

- leads (registrations through the bot) and staff-confirmed participants are counted apart;
- businesses are deduplicated: the registration number where given, else name + province;
- products come from the form (per business, its latest declaration);
- groups only from clusters that staff created.
`python -m bot kpi` prints the table by track and by center.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

TRACKS = ("agro", "creative", "smart")


def fiscal_year(d: date | datetime) -> int:
    """The Thai fiscal year (B.E.) a date belongs to: FY2570 = 1 Oct 2026 - 30 Sep 2027."""
    return d.year + 543 + (1 if d.month >= 10 else 0)


def business_key(fields: dict[str, Any]) -> str:
    reg = str(fields.get("registration_no") or "").strip()
    if reg:
        return "reg:" + reg
    name = re.sub(r"\W+", "", str(fields.get("business_name", "")).lower())
    return f"name:{name}|{fields.get('province', '')}"


@dataclass
class Cell:
    people: set[str] = field(default_factory=set)
    businesses: dict[str, int] = field(default_factory=dict)  # business -> products
    groups: int = 0

    def add(self, uh: str, fields: dict[str, Any]) -> None:
        self.people.add(uh)
        self.businesses[business_key(fields)] = int(fields.get("products") or 0)

    def row(self) -> tuple[int, int, int]:
        return len(self.people), len(self.businesses), sum(self.businesses.values())


@dataclass
class Report:
    fy: int
    leads: dict[str, Cell]  # "total", a track, or "center:<id>"
    confirmed: dict[str, Cell]


def compute(leads: list[tuple[str, dict[str, Any]]], groups: list[dict[str, Any]], fy: int) -> Report:
    """leads: (user HMAC, lead record) pairs; only those dated in fiscal year `fy` count."""
    all_leads: dict[str, Cell] = defaultdict(Cell)
    confirmed: dict[str, Cell] = defaultdict(Cell)
    for uh, lead in sorted(leads, key=lambda p: p[1]["at"]):
        if fiscal_year(datetime.fromisoformat(lead["at"])) != fy:
            continue
        f = lead["fields"]
        for key in ("total", f.get("track", "?"), f"center:{lead.get('center', '?')}"):
            all_leads[key].add(uh, f)
            if lead.get("status") == "confirmed":
                confirmed[key].add(uh, f)
    for g in groups:
        if fiscal_year(datetime.fromisoformat(g["at"])) == fy:
            for key in ("total", g.get("track") or "?", f"center:{g.get('center') or '?'}"):
                confirmed[key].groups += 1
    return Report(fy, dict(all_leads), dict(confirmed))


def table(report: Report, targets: dict[str, int], centers: list[str]) -> str:
    head = f"KPI, fiscal year {report.fy} (B.E.): leads = registered through the bot; confirmed = by staff"
    cols = (
        "",
        "leads people",
        "leads businesses",
        "leads products",
        "confirmed people",
        "confirmed businesses",
        "confirmed products",
        "groups",
    )
    lines = [head, "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for key in ("total", *TRACKS, *[f"center:{c}" for c in centers]):
        lp, lb, lpr = report.leads.get(key, Cell()).row()
        c = report.confirmed.get(key, Cell())
        cp, cb, cpr = c.row()
        lines.append(f"| {key.removeprefix('center:')} | {lp} | {lb} | {lpr} | {cp} | {cb} | {cpr} | {c.groups} |")
    total = report.confirmed.get("total", Cell())
    cp, cb, cpr = total.row()
    lines += ["", "| target | confirmed | target | % |", "|---|---|---|---|"]
    for name, got in (("entrepreneurs", cp), ("businesses", cb), ("products", cpr), ("groups", total.groups)):
        goal = int(targets[name])
        lines.append(f"| {name} | {got:,} | {goal:,} | {100 * got / goal:.1f}% |")
    return "\n".join(lines)
