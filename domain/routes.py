"""Routes: one name per action (`privacy.erase_confirmed`, `mentor.request`, ...), with data.

A route says what to do, never how: handlers are registered by route name (handlers/__init__),
and a route's `args` carry data (a track, a province, a program id), not flags that pick a
branch inside a handler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Route:
    name: str
    args: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "args": dict(self.args)}

    @classmethod
    def from_json(cls, d: dict[str, Any] | str) -> Route:
        if isinstance(d, str):
            return cls(d)
        return cls(str(d["name"]), dict(d.get("args") or {}))


# The route of each of the 14 intents when nothing more specific applies.
INTENT_ROUTE = {
    "greeting": "greeting",
    "program_agro": "program.track",
    "program_creative": "program.track",
    "program_smart": "program.track",
    "mentor": "mentor",
    "register": "register",
    "funding": "funding",
    "contact": "contact",
    "help": "help",
    "human": "human",
    "unsubscribe": "unsubscribe",
    "privacy": "privacy",
    "thanks": "thanks",
    "out_of_scope": "out_of_scope",
}
TRACK_OF_INTENT = {"program_agro": "agro", "program_creative": "creative", "program_smart": "smart"}


def for_intent(intent: str, **args: Any) -> Route:
    if intent in TRACK_OF_INTENT:
        args.setdefault("track", TRACK_OF_INTENT[intent])
    return Route(INTENT_ROUTE[intent], args)


# Routes that deal with a user's own data or a person: never run in a group chat.
PERSONAL = (
    "register", "privacy", "human", "mentor.request", "mentor.volunteer", "unsubscribe", "back_to_bot",
    "consent", "form", "recommend", "cancel",
)  # fmt: skip


def personal(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PERSONAL)
