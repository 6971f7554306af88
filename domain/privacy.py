"""The privacy notice (config/privacy.yml) and consent status: PDPA rules without I/O."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from domain.config_files import CONFIG_DIR, parse, read_yaml

EXPORT_SECONDS = 15 * 60  # the export link lives 15 minutes


class _Lang(BaseModel):
    short: str
    consent: str
    full: str


class _Retention(BaseModel):
    messages_days: int = 90
    drafts_days: int = 14
    review_days: int = 30


class _NoticeFile(BaseModel):
    version: str
    purpose_id: str
    retention: _Retention
    th: _Lang
    en: _Lang


@dataclass(frozen=True)
class Notice:
    version: str
    purpose: str
    texts: dict[str, _Lang]
    retention: _Retention

    def text(self, part: str, lang: str) -> str:
        return str(getattr(self.texts.get(lang) or self.texts["th"], part)).format(version=self.version)


def load_notice(path: Path = CONFIG_DIR / "privacy.yml") -> Notice:
    f = parse(_NoticeFile, read_yaml(path), path)
    return Notice(f.version, f.purpose_id, {"th": f.th, "en": f.en}, f.retention)


def consent_status(ledger: list[dict[str, Any]], notice: Notice) -> dict[str, Any]:
    """The last entry for the purpose decides; a grant of an older notice version is not current."""
    last = next((e for e in reversed(ledger) if e.get("purpose") == notice.purpose), None)
    if last is None:
        return {"current": False, "action": None, "version": None}
    current = last["action"] == "granted" and last.get("version") == notice.version
    return {"current": current, "action": last["action"], "version": last.get("version"), "at": last.get("at")}


def id_sha256(user_id: str) -> str:
    return hashlib.sha256(user_id.encode()).hexdigest()


def consent_entry(notice: Notice, at: str, action: str) -> dict[str, Any]:
    """One line of the consent ledger: purpose, notice version, granted/refused/withdrawn, when."""
    return {"v": 1, "purpose": notice.purpose, "version": notice.version, "action": action, "at": at, "channel": "line"}
