"""The conversation by week (Monday to Sunday, Bangkok) from the daily counts (bot/daily.py): what
people ask about, and how often the bot fell back, asked to clarify or handed over to staff."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.daily import Daily

RATES = ("fallback", "clarify", "handoff")


@dataclass
class Week:
    start: date  # its Monday (the first week of a fiscal year may start before 1 October)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def messages(self) -> int:
        return self.counts["messages"]

    def rate(self, name: str) -> float | None:
        """Per cent of the week's messages (None: no messages)."""
        return 100 * self.counts[name] / self.messages if self.messages else None

    def intents(self) -> Counter[str]:
        return Counter({k[2:]: n for k, n in self.counts.items() if k.startswith("i:") and n})


def year_span(fy: int) -> tuple[date, date]:
    """1 October to 30 September of Thai fiscal year `fy` (B.E.)."""
    return date(fy - 544, 10, 1), date(fy - 543, 9, 30)


def weeks(store: Any, fy: int, today: date) -> list[Week]:
    """Every week of the fiscal year up to today (its days outside the year are not read)."""
    first, last = year_span(fy)
    last = min(last, today)
    if last < first:
        return []
    found: dict[date, Week] = {}
    for day, counts in Daily(store).days(first, last).items():
        monday = day - timedelta(days=day.weekday())
        found.setdefault(monday, Week(monday)).counts.update(counts)
    monday = first - timedelta(days=first.weekday())
    out = []
    while monday <= last:
        out.append(found.get(monday) or Week(monday))
        monday += timedelta(days=7)
    return out


def totals(ws: list[Week]) -> Week:
    """The weeks added up (its start: the first week's)."""
    out = Week(ws[0].start if ws else date.min)
    for w in ws:
        out.counts.update(w.counts)
    return out


def top_intents(ws: list[Week], n: int) -> list[str]:
    return [name for name, _ in totals(ws).intents().most_common(n)]
