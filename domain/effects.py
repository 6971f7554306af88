"""Typed effects: what a handler wants done. One module (bot/effects.py) applies them, in order.

Handlers never write to the store, call LINE or call another handler; they return these.
Records that other records point to carry IDs derived from the event (domain/ids.py), so a
re-run of the same event writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.replies import Push
from domain.routes import Route


@dataclass(frozen=True)
class UpdateUser:
    """Operational fields of the user record (following, opted_out)."""

    fields: dict[str, Any]


@dataclass(frozen=True)
class AppendConsent:
    entry: dict[str, Any]


# Personal data: applied only while the user's consent is current (checked when applied).
@dataclass(frozen=True)
class SaveProfile:
    profile: dict[str, Any]


@dataclass(frozen=True)
class SaveDraft:
    draft: dict[str, Any]


@dataclass(frozen=True)
class ClearDraft:
    pass


@dataclass(frozen=True)
class AppendLead:
    lead: dict[str, Any]


@dataclass(frozen=True)
class RecordIntro:
    """A Big Brother introduction, new or decided; the mentor's load and the mentee's request follow."""

    intro: dict[str, Any]


@dataclass(frozen=True)
class OpenCase:
    case: str
    record: dict[str, Any]


@dataclass(frozen=True)
class CloseCase:
    case: str


@dataclass(frozen=True)
class ReleaseHandoff:
    """Staff closed a case: the user's chat goes back to the bot."""

    chat_id: str


@dataclass(frozen=True)
class SetLeadStatus:
    """A registration's status changes (kept in its history, with when); `extra` adds fields."""

    lead_id: str
    status: str
    at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordGroup:
    group: dict[str, Any]


@dataclass(frozen=True)
class SendPush:
    push: Push


@dataclass(frozen=True)
class Erase:
    """Delete every record of this user (after a typed confirmation)."""


@dataclass(frozen=True)
class Withdraw:
    """Consent withdrawn: delete personal data, keep operational data."""


@dataclass(frozen=True)
class Export:
    """Add a short-lived link to a JSON file of everything stored about the user."""


@dataclass(frozen=True)
class Review:
    """The message goes to the NLU review list (clarify, fallback, "don't know")."""

    kind: str
    candidates: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class StartedFor:
    """A registration started for a program (its card's button): counted for that program's
    recent broadcasts the user received, without storing who."""

    program: str


@dataclass(frozen=True)
class Announce:
    """Staff confirmed a broadcast (test=True: send it to that staff member only); the outcome
    (its ID and status, or why it was refused) comes back to them by push."""

    text: str
    segment: dict[str, Any]
    by: str
    test: bool = False


@dataclass(frozen=True)
class ContinueWith:
    """Run another route after this one, in the same turn (its answer follows this one's)."""

    route: Route


Effect = (
    UpdateUser | AppendConsent | SaveProfile | SaveDraft | ClearDraft | AppendLead | RecordIntro | OpenCase
    | CloseCase | ReleaseHandoff | SetLeadStatus | RecordGroup | SendPush | Erase | Withdraw | Export | Review
    | StartedFor | Announce | ContinueWith
)  # fmt: skip
