"""PDPA machinery on the I/O side: what is stored about a user, the signed export link, and
erasure of RQ's records. The notice and consent rules are in domain/privacy.py."""

from __future__ import annotations

from typing import Any

from bot.store import Store
from domain.privacy import EXPORT_SECONDS, Notice, consent_status, id_sha256, load_notice

__all__ = [
    "EXPORT_SECONDS",
    "Notice",
    "collect",
    "consent_status",
    "erase_rq_jobs",
    "export_serializer",
    "id_sha256",
    "load_notice",
]


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
