"""Big Brother (พี่ช่วยน้อง) mentor matching: data from config/mentors.yml, rules in its header."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.config_files import CONFIG_DIR, parse, read_yaml


class Mentor(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    id: str = Field(pattern=r"^m-\d{3}$")
    name_th: str
    name_en: str
    business_th: str
    business_en: str
    kind: Literal["alumni", "large_firm"]
    cohort: int | None = None
    track: Literal["agro", "creative", "smart"]
    sectors: list[str] = []
    region: str
    province: str
    capacity: int = Field(ge=1, le=20)
    active: bool = True
    bio_th: str = ""
    bio_en: str = ""
    contact: str = ""


class MentorFile(BaseModel):
    current_cohort: int = Field(ge=1)
    mentors: list[Mentor]


def load(path: Any = CONFIG_DIR / "mentors.yml") -> MentorFile:
    return parse(MentorFile, read_yaml(path), path)


def score(m: Mentor, profile: dict[str, Any], region: str | None, current_cohort: int) -> float:
    s = 0.0
    if m.kind == "alumni":
        s += 1 + (3 if m.cohort == current_cohort - 1 else 0)
    if profile.get("sector_tag") in m.sectors:
        s += 3
    if profile.get("province") == m.province:
        s += 2
    elif region and region == m.region:
        s += 1.5
    return s


def best(
    mentors: MentorFile, profile: dict[str, Any], region: str | None, load: dict[str, int], track: str | None
) -> list[Mentor]:
    """Active mentors of the track with a free place, best first."""
    free = [m for m in mentors.mentors if m.active and m.track == track and load.get(m.id, 0) < m.capacity]
    return sorted(
        free,
        key=lambda m: (-score(m, profile, region, mentors.current_cohort), -(m.capacity - load.get(m.id, 0)), m.id),
    )
