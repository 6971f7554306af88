"""Program, center and province data from config/, validated at start-up."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.calendar import load as load_calendar
from domain.config_files import CONFIG_DIR, ConfigError, parse, read_yaml
from domain.knowledge import Details, Faq

Track = Literal["agro", "creative", "smart", "cross"]
TRACK_LETTER = {"agro": "ก", "creative": "ส", "smart": "อ"}


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Eligibility(_Model):
    stages: list[Literal["idea", "starting", "growing", "exporting"]] = []
    registered_business: bool = False
    employees_min: int = Field(default=0, ge=0)
    employees_max: int | None = None
    sectors: list[str] = []
    regions: list[str] = []


class Window(_Model):
    opens: date | None = None
    closes: date | None = None

    def open_on(self, day: date) -> bool:
        return (self.opens is None or self.opens <= day) and (self.closes is None or day <= self.closes)


class Program(_Model):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    track: Track
    kind: Literal["program", "funding", "service", "training"] = "program"
    name_th: str = Field(min_length=2, max_length=80)
    name_en: str = Field(min_length=2, max_length=120)
    summary_th: str = Field(min_length=2, max_length=200)
    summary_en: str = Field(min_length=2, max_length=300)
    benefits_th: list[str] = []
    benefits_en: list[str] = []
    eligibility: Eligibility = Eligibility()
    window: Window = Window()
    unit: str = ""
    url: str = Field(pattern=r"^https://")
    source: str = ""
    verified_at: date | None = None
    aliases: list[str] = []  # names people type (Thai, English, common misspellings)
    named_intent: str | None = None  # a name that is better answered by this intent (พี่ช่วยน้อง -> mentor)
    source_url: str | None = Field(default=None, pattern=r"^https://")  # the program's own page, shown to users
    details: Details  # documents, cost, eligibility, how to apply, window: each with how sure it is


class ProgramFile(_Model):
    programs: list[Program] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> ProgramFile:
        seen: set[str] = set()
        for p in self.programs:
            if p.id in seen:
                raise ValueError(f"duplicate program id {p.id}")
            seen.add(p.id)
        return self


class Province(_Model):
    name_th: str
    name_en: str
    region: str
    lat: float = Field(ge=5, le=21)
    lon: float = Field(ge=97, le=106)
    aliases: list[str] = []


class ProvinceFile(_Model):
    provinces: list[Province] = Field(min_length=77, max_length=77)


class Center(_Model):
    id: str
    name_th: str
    short_th: str
    name_en: str
    short_en: str
    seat_province: str
    address_th: str = ""
    address_en: str = ""
    phone: str = ""
    website: str = ""
    office_hours_th: str
    office_hours_en: str
    contact_is_example: bool = True
    needs_review: bool = True
    lat: float | None = None
    lon: float | None = None
    provinces: list[str] = []


class CenterFile(_Model):
    centers: list[Center] = Field(min_length=1)


class Catalog:
    """Everything handlers look up; built once by the factory."""

    def __init__(self, config_dir: Path = CONFIG_DIR) -> None:
        self.programs = parse(ProgramFile, read_yaml(config_dir / "programs.yml"), config_dir / "programs.yml").programs
        self.provinces = parse(
            ProvinceFile, read_yaml(config_dir / "provinces.yml"), config_dir / "provinces.yml"
        ).provinces
        cpath = config_dir / "centers.yml"
        self.centers = parse(CenterFile, read_yaml(cpath), cpath).centers
        self.province = {p.name_th: p for p in self.provinces}
        self.center_of: dict[str, Center] = {}
        for c in self.centers:
            for name in c.provinces:
                if name not in self.province:
                    raise ConfigError(
                        f"config/centers.yml: field centers (id {c.id}).provinces: unknown province {name}"
                    )
                if name in self.center_of:
                    other = self.center_of[name].id
                    where = f"config/centers.yml: field centers (id {c.id}).provinces"
                    raise ConfigError(f"{where}: {name} is in {other} too")
                self.center_of[name] = c
        missing = [p for p in self.province if p not in self.center_of]
        if missing:
            raise ConfigError(f"config/centers.yml: field centers.provinces: no center serves {', '.join(missing[:5])}")
        self.by_id = {p.id: p for p in self.programs}
        self.center_by_id = {c.id: c for c in self.centers}
        self._names: list[tuple[str, re.Pattern[str] | None, Program]] | None = None
        self.hq = next((c for c in self.centers if c.id == "hq"), self.centers[0])
        from domain import flex
        from domain.mentors import load as load_mentors

        self.flex = flex.load(config_dir / "flex")
        self.mentors = load_mentors(config_dir / "mentors.yml")
        self.faq = Faq(config_dir, set(self.by_id))
        self.calendar = load_calendar(config_dir)
        for m in self.mentors.mentors:
            if m.province not in self.province:
                raise ConfigError(
                    f"config/mentors.yml: field mentors (id {m.id}).province: unknown province {m.province}"
                )

    def open_programs(
        self, track: str, day: date, kinds: tuple[str, ...] = ("program", "service", "training"), max_cross: int = 3
    ) -> list[Program]:
        """Programs of a track (plus cross-track ones) whose window is open on `day`."""
        own = [p for p in self.programs if p.track == track and p.kind in kinds and p.window.open_on(day)]
        cross = [p for p in self.programs if p.track == "cross" and p.kind in kinds and p.window.open_on(day)]
        return own + cross[:max_cross]

    def program(self, program_id: str | None) -> Program | None:
        return self.by_id.get(program_id or "")

    def named(self, text: str) -> Program | None:
        """The program, fund or service a message names (the longest name found wins)."""
        from nlp.normalize import normalize, squash  # not at import: the web process loads no NLP

        if self._names is None:
            self._names = [
                (squash(a), _word(normalize(a)) if squash(a).isascii() else None, p)
                for p in self.programs
                for a in [p.name_th, *p.aliases]
                if len(squash(a)) >= 3
            ]
        clean = normalize(text)
        flat = squash(clean)
        best: tuple[int, Program] | None = None
        for key, latin, p in self._names:
            hit = bool(latin.search(clean)) if latin else key in flat
            if hit and (best is None or len(key) > best[0]):
                best = (len(key), p)
        return best[1] if best else None

    def funding(self, day: date) -> list[Program]:
        return [p for p in self.programs if p.kind == "funding" and p.window.open_on(day)]

    def nearest_province(self, lat: float, lon: float) -> Province:
        def dist(p: Province) -> float:
            dx = (p.lon - lon) * math.cos(math.radians((p.lat + lat) / 2))
            return (p.lat - lat) ** 2 + dx**2

        return min(self.provinces, key=dist)


def _word(name: str) -> re.Pattern[str]:
    """A Latin name as whole words, spaces and dots optional inside ("itc 4.0" = "itc4.0")."""
    parts = [re.escape(w) for w in re.split(r"[\s.]+", name) if w]
    return re.compile(r"(?<![a-z0-9])" + r"[\s.]*".join(parts) + r"(?![a-z0-9])")
