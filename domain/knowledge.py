"""What the bot knows beyond the catalog's cards: each program's details (documents, cost,
eligibility, application steps, window) and the FAQ, both from config/ and both marked with
how sure they are.

status: `confirmed` = stated in the shared facts (with `as_of`); `typical` = general practice
not confirmed for this program or topic (answered as such, with "confirm with your center");
`unknown` = nothing confirmed (answered honestly, with who to ask).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.config_files import CONFIG_DIR, ConfigError, parse, read_yaml

Status = Literal["confirmed", "typical", "unknown"]
ASPECTS = ("documents", "cost", "eligibility", "apply", "deadline")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Detail(_Model):
    status: Status
    th: str = Field(min_length=2, max_length=400)
    en: str = Field(min_length=2, max_length=450)
    as_of: date | None = None

    @model_validator(mode="after")
    def _dated(self) -> Detail:
        if self.status == "confirmed" and self.as_of is None:
            raise ValueError("a confirmed detail needs as_of (the date its source was checked)")
        return self


class Details(_Model):
    documents: Detail
    cost: Detail
    eligibility: Detail
    apply: Detail
    deadline: Detail

    def get(self, aspect: str) -> Detail | None:
        return getattr(self, aspect, None) if aspect in ASPECTS else None


class Entry(_Model):
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    topic: str
    label_th: str = Field(default="", max_length=20)  # quick-reply label when offered as a choice
    label_en: str = Field(default="", max_length=20)
    questions_th: list[str] = Field(min_length=1)
    questions_en: list[str] = []
    answer_th: str = Field(min_length=2, max_length=900)
    answer_en: str = Field(min_length=2, max_length=1000)
    status: Status
    source: str = Field(min_length=3)
    source_url: str | None = Field(default=None, pattern=r"^https://")
    verified_at: date | None = None
    programs: list[str] = []


class FaqFile(_Model):
    entries: list[Entry] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> FaqFile:
        ids = [e.id for e in self.entries]
        if dup := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"duplicate entry id {dup[0]}")
        return self


class Faq:
    """config/faq.yml plus the variants staff attached from the review list
    (config/faq-learned.yml: entry id -> list of questions)."""

    def __init__(self, config_dir: Path = CONFIG_DIR, programs: set[str] | None = None) -> None:
        path = config_dir / "faq.yml"
        self.entries = parse(FaqFile, read_yaml(path), path).entries
        self.by_id = {e.id: e for e in self.entries}
        learned_path = config_dir / "faq-learned.yml"
        self.learned: dict[str, list[str]] = {}
        if learned_path.exists():
            raw = read_yaml(learned_path) or {}
            for key, questions in (raw.get("variants") or {}).items():
                if key not in self.by_id:
                    raise ConfigError(f"config/faq-learned.yml: field variants.{key}: no such FAQ entry")
                self.learned[key] = [str(q) for q in questions or []]
        for e in self.entries:
            for pid in e.programs:
                if programs is not None and pid not in programs:
                    raise ConfigError(f"config/faq.yml: field entries (id {e.id}).programs: unknown program {pid}")

    def questions(self, entry: Entry) -> list[str]:
        return [*entry.questions_th, *entry.questions_en, *self.learned.get(entry.id, [])]
