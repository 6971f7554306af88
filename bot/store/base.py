"""The store contract. Both implementations pass tests/test_store_contract.py.

Every key the project writes is named here with its data class and TTL (issue 4 builds on it).
Keys hold an HMAC of the user ID (`uh`), never the ID itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.store.keyspec import DAY, SEGMENT_ALL, SEGMENT_TAG, KeySpec
from bot.store.staff_keys import STAFF_KEYS

__all__ = ["DAY", "KEYS", "SEGMENT_ALL", "SEGMENT_TAG", "KeySpec", "Store", "TurnSave", "segment_of"]


# Every Redis key the project writes. tests/test_key_inventory.py fails on any key not listed.
KEYS: tuple[KeySpec, ...] = (
    KeySpec("dip:dedupe:{event_id}", "auxiliary", "bot/events/streams.py", 2 * DAY, "webhookEventId seen"),
    KeySpec(
        "dip:ev:{partition}",
        "personal",
        "bot/events/streams.py",
        None,
        "events waiting (user ID, text) in one of EVENT_PARTITIONS streams; deleted once processed; erased",
    ),
    KeySpec("dip:lease:{partition}", "auxiliary", "bot/events/leases.py", 120, "which consumer reads a partition"),
    KeySpec("dip:workers", "auxiliary", "bot/events/leases.py", None, "consumer heartbeats (names, times)"),
    KeySpec("dip:done:{event_id}", "auxiliary", "bot/events/consumer.py", 2 * DAY, "event processed: never again"),
    KeySpec("dip:tries:{event_id}", "auxiliary", "bot/events/consumer.py", 2 * DAY, "tries of an event"),
    KeySpec("dip:sent:{event_id}", "auxiliary", "bot/messenger/base.py", 2 * DAY, "the reply's mark"),
    KeySpec("dip:flood:{uh}", "auxiliary", "bot/events/consumer.py", 60, "one user's events this minute"),
    KeySpec("dip:alerts:{minute}", "auxiliary", "bot/dispatcher.py", 120, "staff alerts this minute"),
    KeySpec(
        "dip:dead",
        "personal",
        "bot/events/consumer.py",
        None,
        "events that failed 3 times (user ID, text), trimmed after 7 days; erased",
    ),
    KeySpec("dip:upgrade", "auxiliary", "bot/events/upgrade.py", 600, "one worker upgrades the old queue"),
    KeySpec(
        "dip:pending:{uh}",
        "auxiliary",
        "bot/events/upgrade.py",
        None,
        "v1 queue (before the streams): read once by the upgrade and deleted",
    ),
    KeySpec("dip:lock:{uh}", "auxiliary", "bot/events/upgrade.py", 120, "v1 per-user lock: deleted by the upgrade"),
    KeySpec(
        "dip:user:{uh}", "operational", "bot/dispatcher.py", None, "LINE user ID, follow status, opt-out, language"
    ),
    KeySpec("dip:state:{uh}", "operational", "bot/dispatcher.py", 7 * DAY, "conversation state, handoff flag"),
    KeySpec(
        "dip:undo:{uh}",
        "operational",
        "bot/dispatcher.py",
        DAY,
        "user record and state before the last turn, with its event ID: a re-run of that event starts there",
    ),
    KeySpec(
        "dip:case:{case_id}",
        "operational",
        "handlers/human.py",
        None,
        "a handoff case (chat ID, user HMAC, intent, staff replies: who, when), kept until resolved and listed in "
        "dip:cases-open; a follow-up case (handlers/register.py) expires after a day; erased with the user",
    ),
    KeySpec("dip:profile:{uh}", "personal", "handlers/register.py", None, "business profile, interests; after consent"),
    KeySpec("dip:draft:{uh}", "personal", "handlers/form.py", 14 * DAY, "unfinished registration form"),
    KeySpec("dip:consent:{uh}", "personal", "handlers/consent.py", None, "consent ledger, append-only"),
    KeySpec("dip:msgs:{uh}", "personal", "bot/dispatcher.py", 90 * DAY, "copies of messages, after consent"),
    KeySpec("dip:leads:{uh}", "personal", "handlers/register.py", None, "registrations sent to a center"),
    KeySpec("dip:leadref:{lead_id}", "auxiliary", "bot/dispatcher.py", None, "registration id -> user HMAC (staff)"),
    KeySpec("dip:groups:{fy}", "operational", "handlers/staff.py", None, "clusters staff created, for the KPIs"),
    KeySpec(
        "dip:intro:{intro_id}", "personal", "handlers/mentor.py", None, "a Big Brother introduction (mentee, mentor)"
    ),
    KeySpec("dip:mentor-load", "operational", "bot/dispatcher.py", None, "mentor id -> open introductions"),
    KeySpec("dip:lead-index", "auxiliary", "bot/store", None, "HMAC keys of users with leads (staff lists, KPIs)"),
    KeySpec("dip:review:{uh}", "auxiliary", "nlp/review.py", 30 * DAY, "NLU review items, redacted text"),
    KeySpec("dip:review-index", "auxiliary", "nlp/review.py", None, "who has review items; trimmed to 30 days"),
    KeySpec(
        "dip:bcreg:{id}",
        "auxiliary",
        "bot/broadcast/report.py",
        8 * DAY,
        "HyperLogLog: recipients who started a registration for the broadcast's program (a count, not who)",
    ),
    KeySpec("dip:announce:{event_id}", "auxiliary", "bot/effects.py", 2 * DAY, "broadcast a staff message created"),
    KeySpec("dip:erasures", "auxiliary", "bot/privacy.py", None, "erasure records: SHA-256 of the user ID -> time"),
    KeySpec("rq:{rq}", "auxiliary", "RQ (bot/worker.py)", None, "RQ's own records; job arguments are HMAC keys only"),
    *STAFF_KEYS,
)
REVIEW_TTL = 30 * DAY
INDEXES = ("dip:lead-index", "dip:review-index")  # sorted sets whose members are HMAC keys
CASES_OPEN = "dip:cases-open"  # open handoff case IDs by opening time (bot/store/staff_keys.py)
FOLLOWUP_TTL = DAY


@dataclass(frozen=True)
class TurnSave:
    """What a turn writes in one round trip before its answer is sent: the user record and the
    conversation state (None: unchanged), the reply's "started" mark of the event about to be
    answered (bot/messenger/base.py) and `before`, the "undo" record a re-run of the same event
    starts from (bot/dispatcher.py)."""

    user: dict[str, Any] | None = None
    state: dict[str, Any] | None = None
    replying: str | None = None
    before: dict[str, Any] | None = None


class Store(Protocol):
    def ping(self) -> bool: ...

    # The end of a turn in one go (TurnSave).
    def save_turn(self, uh: str, turn: TurnSave) -> None: ...

    # A reply's mark per event ("started"): a re-run never replies twice (bot/messenger/base.py).
    def mark(self, event_id: str, value: str) -> None: ...
    def marked(self, event_id: str) -> str | None: ...

    # A counter in a time window (rate limits); returns the count including this one.
    def incr_window(self, key: str, ttl: int) -> int: ...

    # Everything one turn reads about a user, in one go: user, state, consent, profile, draft, leads.
    def snapshot(self, uh: str) -> dict[str, Any]: ...

    # Records (JSON objects with a "v" version field, saved explicitly).
    def get(self, kind: str, key: str) -> dict[str, Any] | None: ...
    def put(self, kind: str, key: str, value: dict[str, Any], ttl: int | None = None) -> None: ...
    def delete(self, kind: str, key: str) -> None: ...

    # Lists (consent ledger, leads, message copies), append-only unless rewritten by the owner.
    def append(self, kind: str, key: str, item: dict[str, Any], ttl: int | None = None) -> None: ...
    def items(self, kind: str, key: str) -> list[dict[str, Any]]: ...
    def replace_items(self, kind: str, key: str, items: list[dict[str, Any]], ttl: int | None = None) -> None: ...

    # Sorted-set indexes of HMAC keys (INDEXES).
    def index_add(self, index: str, uh: str) -> None: ...
    def index_members(self, index: str) -> list[str]: ...

    # Cases (dip:case:{case_id}). A handoff case is kept until closed and listed by open_cases(),
    # oldest first; a follow-up case (kind "followup") expires after FOLLOWUP_TTL. `uh`: the user's.
    def open_case(self, case_id: str, uh: str, record: dict[str, Any]) -> None: ...
    def close_case(self, case_id: str) -> None: ...
    def open_cases(self) -> list[tuple[str, dict[str, Any]]]: ...

    # Counters (a hash of integers), e.g. mentor load.
    def count_add(self, name: str, field: str, by: int) -> None: ...
    def counts(self, name: str) -> dict[str, int]: ...

    # Erasure: every per-user key, index memberships, the user's open cases, and a record of the erasure.
    def erase(self, uh: str, id_sha256: str, at: str) -> None: ...
    def erasures(self) -> dict[str, str]: ...

    # The NLU review list (kept REVIEW_TTL seconds).
    def add_review(self, uh: str, item: dict[str, Any], ttl: int = REVIEW_TTL) -> None: ...
    def reviews(self) -> list[tuple[str, dict[str, Any]]]: ...
    def delete_reviews(self, uh: str) -> None: ...


def ttl_of(kind: str) -> int | None:
    for spec in KEYS:
        if spec.pattern.startswith(f"dip:{kind}:"):
            return spec.ttl
    raise KeyError(f"unknown record kind {kind!r}: add it to bot/store/base.py KEYS")


def per_user_kinds() -> list[str]:
    """Kinds of `dip:<kind>:{uh}` keys (the segment index is erased on its own: segment_of)."""
    return [k.kind for k in KEYS if k.per_user and k.pattern.startswith("dip:") and not k.kind.startswith("{")]


def segment_of(uh: str) -> str:
    return f"{SEGMENT_TAG}:of:{uh}"


def opened_at(record: dict[str, Any]) -> float:
    """A case's place in CASES_OPEN: when it was opened (epoch seconds), so the oldest comes first."""
    return datetime.fromisoformat(str(record["opened"])).timestamp()
