"""Working days for the agency's stated response time (config/holidays.yml)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from domain.config_files import CONFIG_DIR, parse, read_yaml


class Holiday(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    date: date
    name: str
    confirmed: bool = False


class Calendar(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    response_working_days: int = Field(default=5, ge=1, le=60)
    holidays: list[Holiday] = []

    def working(self, day: date) -> bool:
        return day.weekday() < 5 and day not in {h.date for h in self.holidays}

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        days, d = 0, start
        while d < end:
            d += timedelta(days=1)
            days += self.working(d)
        return days

    def due(self, start: date) -> date:
        """The working day on which the response time runs out."""
        d, left = start, self.response_working_days
        while left:
            d += timedelta(days=1)
            left -= self.working(d)
        return d


def load(config_dir: Path = CONFIG_DIR) -> Calendar:
    path = config_dir / "holidays.yml"
    return parse(Calendar, read_yaml(path), path)
