"""PDPA machinery on the I/O side: the notice, consent status, what is stored about a user,
the signed export link, and erasure of RQ's records. Handlers decide; this module does."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from bot.config_files import CONFIG_DIR, parse, read_yaml
from bot.store import Store

EXPORT_SECONDS = 15 * 60


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


def collect(store: Store, uh: str) -> dict[str, Any]:
    """Everything stored about one user, for "ข้อมูลของฉัน" and the JSON export."""
    return {
        "account": store.get("user", uh) or {},
        "conversation_state": store.get("state", uh) or {},
        "profile": store.get("profile", uh) or {},
        "registration_draft": store.get("draft", uh) or {},
        "registrations": store.items("leads", uh),
        "consent_history": store.items("consent", uh),
        "messages": store.items("msgs", uh),
    }


def export_serializer(secret: bytes) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(secret, salt="dip-export")


def erase_rq_jobs(connection: Any, uh: str, queue_name: str) -> int:
    """Delete RQ jobs of this user (queued, failed, finished): their only argument is `uh`."""
    from rq import Queue
    from rq.job import Job
    from rq.registry import FailedJobRegistry, FinishedJobRegistry

    queue = Queue(queue_name, connection=connection)
    ids = set(queue.job_ids)
    for registry in (FailedJobRegistry(queue=queue), FinishedJobRegistry(queue=queue)):
        ids |= set(registry.get_job_ids())
    removed = 0
    for job in Job.fetch_many(list(ids), connection=connection):
        if job is not None and tuple(job.args or ()) == (uh,):
            job.delete()
            removed += 1
    return removed
