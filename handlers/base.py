"""What handlers see and return. Handlers decide, the dispatcher does I/O (STYLE.md 7)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.incoming import Incoming


@dataclass(frozen=True)
class Choice:
    """A quick-reply item. Tapping sends `text`; typing `text` (or the item's number) works too,
    because quick replies do not show in LINE for PC (facts/LINE.md)."""

    label: str
    text: str
    action: str = "message"  # or "location": opens LINE's location picker


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Card:
    """A Flex container (bubble or carousel) and the plain text shown where Flex is not."""

    alt: str
    contents: dict[str, Any]
    fallback: str = ""


Message = Text | Card


@dataclass(frozen=True)
class Push:
    """A message to someone else (staff), sent by push with a retry key."""

    to: str
    messages: tuple[Message, ...]
    choices: tuple[Choice, ...] = ()


@dataclass
class Result:
    messages: list[Message] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    state: dict[str, Any] | None = None  # the next conversation state; None keeps it
    user: dict[str, Any] = field(default_factory=dict)  # operational fields to update
    pushes: list[Push] = field(default_factory=list)
    cases: dict[str, dict[str, Any] | None] = field(default_factory=dict)  # id -> record / None
    release: list[str] = field(default_factory=list)  # chat IDs whose handoff staff closed
    erase: bool = False  # delete every record of this user (privacy, after confirmation)
    review: bool = False  # the message goes to the NLU review list (clarify, fallback)
    # Personal data: the dispatcher stores these only while consent is current.
    profile: dict[str, Any] | None = None  # the new profile
    draft: dict[str, Any] | None = None  # the registration form so far
    clear_draft: bool = False
    leads: list[dict[str, Any]] = field(default_factory=list)  # new registrations
    consent: list[dict[str, Any]] = field(default_factory=list)  # ledger entries to append
    withdraw: bool = False  # consent withdrawn: delete personal data, keep operational data
    export: bool = False  # add a short-lived link to a JSON file of everything stored
    # Staff decisions about other users' records.
    lead_status: dict[str, str] = field(default_factory=dict)  # registration id -> new status
    groups: list[dict[str, Any]] = field(default_factory=list)  # clusters staff created
    intros: dict[str, dict[str, Any]] = field(default_factory=dict)  # mentor introductions: id -> record


@dataclass
class Context:
    incoming: Incoming
    lang: str  # "th" | "en"
    user: dict[str, Any]
    state: dict[str, Any]
    data: Any  # bot.data.Catalog
    now: datetime
    staff: frozenset[str]
    t: Callable[..., str]
    nlu: Any = None  # nlp.classifier.Prediction for text messages
    extra: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] | None = None
    draft: dict[str, Any] | None = None
    consent: dict[str, Any] = field(default_factory=dict)  # {"current": bool, "action", "version"}
    leads: list[dict[str, Any]] = field(default_factory=list)
    notice: Any = None  # bot.privacy.Notice
    ents: Any = None  # nlp.entities.EntityExtractor, for validating answers

    @property
    def entities(self) -> dict[str, Any]:
        """province / employees / track found in a text message (nlp.entities)."""
        return self.extra.get("entities") or {}

    def say(self, key: str, **kw: Any) -> str:
        return self.t(key, self.lang, **kw)

    def text(self, key: str, **kw: Any) -> Text:
        return Text(self.say(key, **kw))

    def choice(self, key: str) -> Choice:
        """A quick reply whose label and sent text come from texts `choice.<key>`."""
        label = self.say(f"choice.{key}")
        return Choice(label=label[:20], text=label)


Handler = Callable[[Context], Result]
