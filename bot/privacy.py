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
