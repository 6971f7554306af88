"""The store contract. Both implementations pass tests/test_store_contract.py.

Every key the project writes is named here with its data class and TTL (issue 4 builds on it).
Keys hold an HMAC of the user ID (`uh`), never the ID itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

DAY = 86_400


@dataclass(frozen=True)
class KeySpec:
    pattern: str
    data_class: str  # "operational" | "personal" | "auxiliary"
    ttl: int | None
    purpose: str


KEYS: tuple[KeySpec, ...] = (
    KeySpec("dip:dedupe:{event_id}", "auxiliary", 2 * DAY, "webhookEventId seen (LINE redelivers)"),
    KeySpec("dip:pending:{uh}", "auxiliary", DAY, "events of one user waiting, by LINE timestamp"),
    KeySpec("dip:lock:{uh}", "auxiliary", 120, "one worker at a time per user"),
    KeySpec("dip:user:{uh}", "operational", None, "user ID, follow status, opt-out, language"),
    KeySpec("dip:state:{uh}", "operational", 7 * DAY, "conversation state, handoff flag"),
    KeySpec("dip:profile:{uh}", "personal", None, "profile, only after consent"),
    KeySpec("dip:case:{case_id}", "operational", DAY, "an open human-handoff case"),
    KeySpec("dip:review:{uh}", "auxiliary", 30 * DAY, "NLU review items, redacted text (nlp/review.py)"),
    KeySpec("dip:review-index", "auxiliary", None, "who has review items, scored by time; trimmed to 30 days"),
)
REVIEW_TTL = 30 * DAY

# schedule(uh, pipeline_or_None): hand the user to a worker; for Redis it joins the transaction.
Schedule = Callable[[str, Any], None]


class Store(Protocol):
    def ping(self) -> bool: ...

    # Webhook side: dedupe + pending + schedule, all or nothing. False means a duplicate.
    def accept(self, event_id: str, uh: str, ts: int, payload: str, schedule: Schedule) -> bool: ...

    # Worker side.
    def pop_pending(self, uh: str) -> str | None: ...
    def has_pending(self, uh: str) -> bool: ...
    def try_lock(self, uh: str, ttl: int = 120) -> str | None: ...
    def unlock(self, uh: str, token: str) -> None: ...

    # Records (JSON objects with a "v" version field, saved explicitly).
    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...
    def put(self, kind: str, key: str, value: dict[str, Any], ttl: int | None = None) -> None: ...
    def delete(self, kind: str, key: str) -> None: ...

    # The NLU review list (kept REVIEW_TTL seconds).
    def add_review(self, uh: str, item: dict[str, Any]) -> None: ...
    def reviews(self) -> list[tuple[str, dict[str, Any]]]: ...
    def delete_reviews(self, uh: str) -> None: ...


def ttl_of(kind: str) -> int | None:
    for spec in KEYS:
        if spec.pattern.startswith(f"dip:{kind}:"):
            return spec.ttl
    raise KeyError(f"unknown record kind {kind!r}: add it to bot/store/base.py KEYS")
