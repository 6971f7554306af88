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
    "erase_user",
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


def erase_user(store: Store, uh: str, chat_id: str, at: str, state: dict[str, Any] | None = None) -> None:
    """Everything about one user, as "ลบข้อมูล" on LINE does (the console's data protection desk
    too): their open case, registrations' references, mentor introductions (and the mentor's
    load), every per-user key and index membership; a record of the erasure (a hash of the ID)."""
    state = store.get("state", uh) or {} if state is None else state
    if state.get("handoff"):
        store.close_case(state["handoff"]["case"])  # store.erase finds the user's other cases
    for lead in store.items("leads", uh):
        store.delete("leadref", lead["id"])
    for req in (store.get("profile", uh) or {}).get("mentor_requests", []):
        intro = store.get("intro", req["id"])
        if intro and intro.get("mentor") and intro["status"] != "declined":
            store.count_add("dip:mentor-load", intro["mentor"], -1)
        store.delete("intro", req["id"])
    store.erase(uh, id_sha256(chat_id), at)


def export_serializer(secret: bytes) -> Any:
    from itsdangerous import URLSafeTimedSerializer

    return URLSafeTimedSerializer(secret, salt="dip-export")
