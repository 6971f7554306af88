"""What a handler sees (Context) and returns (Result). Handlers decide; bot/ does the I/O."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from domain.effects import Effect
from domain.incoming import Incoming
from domain.replies import Choice, Message, Text
from domain.routes import Route
from domain.state import ConversationState, Topic


class Lookups(Protocol):
    """Read-only views of other records, for the handlers that need them (staff, privacy)."""

    def case(self, case_id: str) -> dict[str, Any] | None: ...
    def lead(self, lead_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None: ...
    def intro(self, intro_id: str) -> dict[str, Any] | None: ...
    def mentor_load(self) -> dict[str, int]: ...
    def mydata(self) -> dict[str, Any]: ...
    def broadcast_preview(self, segment: dict[str, Any]) -> dict[str, Any] | None: ...


@dataclass
class Result:
    messages: list[Message] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    state: ConversationState | None = None  # the next conversation state; None keeps it
    effects: list[Effect] = field(default_factory=list)


@dataclass
class Context:
    incoming: Incoming
    route: Route
    lang: str  # "th" | "en"
    now: datetime
    state: ConversationState
    catalog: Any  # domain.catalog.Catalog
    t: Callable[..., str]  # domain.texts.Texts
    notice: Any  # domain.privacy.Notice
    ents: Any  # nlp.entities.EntityExtractor, for reading answers
    entities: Any  # nlp.entities.Entities found in the message
    lookups: Lookups
    nlu: Any = None  # nlp.classifier.Prediction for classified text
    consent: dict[str, Any] = field(default_factory=dict)  # {"current": bool, "action", "version"}
    user: dict[str, Any] = field(default_factory=dict)
    profile: dict[str, Any] | None = None
    draft: dict[str, Any] | None = None
    leads: list[dict[str, Any]] = field(default_factory=list)
    staff: frozenset[str] = frozenset()
    asked: Any = None  # the prompt that was on screen when this message came (domain.prompts)

    @property
    def args(self) -> dict[str, Any]:
        return self.route.args

    @property
    def topic(self) -> Topic | None:
        return self.state.topic_now(self.now)

    def say(self, key: str, **kw: Any) -> str:
        return self.t(key, self.lang, **kw)

    def text(self, key: str, **kw: Any) -> Text:
        return Text(self.say(key, **kw))

    def choice(self, key: str) -> Choice:
        """A quick reply whose label and sent text come from texts `choice.<key>`."""
        label = self.say(f"choice.{key}")
        return Choice(label=label, text=label)

    def name(self, item: Any) -> str:
        """The Thai or English name of a program, center or mentor."""
        return str(item.name_en if self.lang == "en" else item.name_th)

    def keep(self, **changes: Any) -> ConversationState:
        """The state with these changes. A prompt lives one turn (the turn runner clears it before
        the handlers run), so a handler sets `prompt=` only when it asks something."""
        return self.state.with_(**changes)


Handler = Callable[[Context], Result]
