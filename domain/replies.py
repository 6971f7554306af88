"""Platform-neutral replies: handlers build these, the messenger turns them into LINE messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_LABEL = 20  # LINE shows at most 20 characters of a quick-reply label (facts/LINE.md)


@dataclass(frozen=True)
class Choice:
    """A quick-reply item. Tapping sends `text`; typing `text` (or the item's number) works too,
    because quick replies do not show in LINE for PC (facts/LINE.md). Labels are written to
    fit in 20 characters: a label that does not fit is a defect in config/texts, not cut here."""

    label: str
    text: str
    action: str = "message"  # or "location": opens LINE's location picker

    def __post_init__(self) -> None:
        if self.action == "message" and len(self.label) > MAX_LABEL:
            raise ValueError(f"quick-reply label over {MAX_LABEL} characters: {self.label!r}")


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
    """A message to someone else (staff, or a user staff decided about), sent by push."""

    to: str
    messages: tuple[Message, ...]
    choices: tuple[Choice, ...] = ()
