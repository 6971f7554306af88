"""Entities: province (official Thai name), employees, track."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from nlp.normalize import normalize, prepare, squash, strip_tones

ROOT = Path(__file__).resolve().parent.parent
# Names marked `name_is_common_word` in config/provinces.yml (เลย "at all", ตราด inside
# อัตราดอกเบี้ย): matched only after one of these cues, or when they are the whole message.
CONTEXT = ("จังหวัด", "จ.", "อยู่", "ที่", "ใน", "จาก")
NUMBER_WORDS = "ศูนย์หนึ่งสองสามสี่ห้าหกเจ็ดแปดเก้าสิบร้อยพันหมื่นแสนยี่เอ็ด"
EMPLOYEES_DIGITS = re.compile(r"(\d[\d,]*)\s*(?:คน|people|persons|staff|employees|workers)")
EMPLOYEES_WORDS = re.compile(rf"([{NUMBER_WORDS}]+)\s*คน")
TRACK_WORDS = {
    "agro": ("เกษตร", "แปรรูป", "อาหาร", "agro", "food"),
    "creative": ("สร้างสรรค์", "ออกแบบ", "หัตถกรรม", "creative", "design", "craft"),
    "smart": ("อัจฉริยะ", "ดิจิทัล", "ดิจิตอล", "อัตโนมัติ", "smart", "digital", "automation"),
}


# Thai phone numbers: mobiles 06/08/09 + 8 digits, landlines 02-07 + 7 digits; +66 for the 0.
PHONE = re.compile(r"(?<![\d])(?:\+?66[\s-]?|0)([2-9](?:[\s.-]?\d){7,8})(?![\d])")


@dataclass(frozen=True)
class Entities:
    province: str | None = None
    employees: int | None = None
    track: str | None = None
    sector: str | None = None
    phones: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "province": self.province,
            "employees": self.employees,
            "track": self.track,
            "sector": self.sector,
            "phones": list(self.phones),
        }


def phones(text: str) -> list[str]:
    """Valid Thai phone numbers in `text`, as 0XXXXXXXXX (Thai digits and +66 accepted)."""
    out = []
    for m in PHONE.finditer(_numbers(text)):
        digits = "0" + re.sub(r"\D", "", m.group(1))
        mobile = digits[1] in "689" and len(digits) == 10
        landline = digits[1] in "234567" and len(digits) == 9
        if mobile or landline:
            out.append(digits)
    return out


class EntityExtractor:
    def __init__(self, provinces: list[dict[str, Any]], sectors: dict[str, dict[str, Any]] | None = None) -> None:
        self.sector_track: dict[str, str] = {}
        thai_kw: list[tuple[str, str]] = []
        latin_kw: list[tuple[str, str]] = []
        for tag, spec in (sectors or {}).items():
            self.sector_track[tag] = spec["track"]
            for kw in spec["keywords"]:
                key = squash(str(kw))
                (latin_kw if key.isascii() else thai_kw).append((key, tag))
        self.sector_thai = sorted(thai_kw, key=lambda kv: -len(kv[0]))
        latin_kw.sort(key=lambda kv: -len(kv[0]))
        self.sector_latin = dict(latin_kw)
        self.sector_re = _latin_pattern([k for k, _ in latin_kw]) if latin_kw else None
        table: dict[str, str] = {}
        self.common_words = {squash(p["name_th"]) for p in provinces if p.get("name_is_common_word")}
        # Two-letter abbreviations (ขก, ชม) are everyday words: only a message that is just one.
        self.whole_only = {squash(str(p["abbr_th"])): p["name_th"] for p in provinces if p.get("abbr_th")}
        for p in provinces:
            for alias in [p["name_th"], p["name_en"], *p.get("aliases", [])]:
                key = squash(str(alias))
                if len(key) >= 2:
                    table.setdefault(key, p["name_th"])
        # Longest first, so นครศรีธรรมราช wins over a shorter name inside it. Latin aliases
        # are matched as whole words on the spaced text ("im in khon kaen"), Thai ones squashed.
        ordered = sorted(table.items(), key=lambda kv: -len(kv[0]))
        self.aliases = [(k, v) for k, v in ordered if not k.isascii()]
        latin = [(k, v) for k, v in ordered if k.isascii() and k not in self.common_words]
        self.latin = _latin_pattern([k for k, _ in latin])
        self.latin_name = dict(latin)

    @classmethod
    def from_config(cls, config: Path = ROOT / "config") -> EntityExtractor:
        with (config / "provinces.yml").open(encoding="utf-8") as f:
            provinces = yaml.safe_load(f)["provinces"]
        with (config / "sectors.yml").open(encoding="utf-8") as f:
            sectors = yaml.safe_load(f)["sectors"]
        return cls(provinces, sectors)

    def province(self, text: str) -> str | None:
        flat = squash(normalize(text))
        if flat.rstrip(".") in self.whole_only:
            return self.whole_only[flat.rstrip(".")]
        if m := self.latin.search(strip_tones(normalize(text))):
            return self.latin_name[re.sub(r"\s+", "", m.group(1))]
        for key, name in self.aliases:
            at = flat.find(key)
            while at >= 0:
                if key in self.common_words:
                    if flat == key or any(flat[:at].endswith(squash(c)) for c in CONTEXT):
                        return name
                else:
                    return name
                at = flat.find(key, at + 1)
        return None

    def employees(self, text: str) -> int | None:
        t = _numbers(text)
        if m := EMPLOYEES_DIGITS.search(t):
            return int(m.group(1).replace(",", ""))
        if m := EMPLOYEES_WORDS.search(t):
            from pythainlp.util import thaiword_to_num

            try:
                return int(thaiword_to_num(m.group(1)))
            except (ValueError, TypeError):
                return None
        return None

    def number(self, text: str) -> int | None:
        """The first whole number: 12, ๑๒, 1,200 or Thai words (ห้าสิบ)."""
        t = _numbers(text)
        if m := re.search(r"\d[\d,]*", t):
            return int(m.group().replace(",", ""))
        if m := re.search(rf"[{NUMBER_WORDS}]+", t):
            from pythainlp.util import thaiword_to_num

            try:
                return int(thaiword_to_num(m.group()))
            except (ValueError, TypeError):
                return None
        return None

    def sector(self, text: str) -> str | None:
        t = normalize(text)
        if self.sector_re is not None and (m := self.sector_re.search(t)):
            return self.sector_latin[re.sub(r"\s+", "", m.group(1))]
        flat = squash(t)
        # The sector named first is what the business is ("ทำขนมไทย ... อยากพัฒนาบรรจุภัณฑ์" is food).
        found = [(flat.find(key), -len(key), tag) for key, tag in self.sector_thai if key in flat]
        return min(found)[2] if found else None

    def track(self, text: str, intent: str | None = None, sector: str | None = None) -> str | None:
        if intent and intent.startswith("program_"):
            return {"program_agro": "agro", "program_creative": "creative", "program_smart": "smart"}[intent]
        t = normalize(text)
        for track, words in TRACK_WORDS.items():
            if any(w in t for w in words):
                return track
        return self.sector_track.get(sector) if sector else None

    def extract(self, text: str, intent: str | None = None) -> Entities:
        sector = self.sector(text)
        return Entities(
            self.province(text), self.employees(text), self.track(text, intent, sector), sector, tuple(phones(text))
        )


def _numbers(text: str) -> str:
    """Text for reading numbers: Thai digits made Arabic, nothing collapsed (1000, 111, 5555 stay)."""
    return re.sub(r"\s+", " ", prepare(text).lower()).strip()


def _latin_pattern(keys: list[str]) -> re.Pattern[str]:
    """Whole-word match of Latin keys, spaces optional inside ("khon kaen" = "khonkaen")."""
    return re.compile(r"\b(" + "|".join(r"\s*".join(map(re.escape, k)) for k in keys) + r")\b")
