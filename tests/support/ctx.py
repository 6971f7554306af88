"""A handler Context for unit tests of domain helpers (cards, details), built from a test Bot."""

from __future__ import annotations

from typing import Any

from domain.context import Context
from domain.routes import Route
from domain.state import ConversationState
from nlp.entities import Entities
from tests.support import line


class NoLookups:
    def case(self, case_id: str) -> None:
        return None

    def lead(self, lead_id: str) -> None:
        return None

    def intro(self, intro_id: str) -> None:
        return None

    def mentor_load(self) -> dict[str, int]:
        return {}

    def mydata(self) -> dict[str, Any]:
        return {}


def make_ctx(bot: Any, lang: str = "th", route: Route | None = None, **fields: Any) -> Context:
    from bot.incoming import parse_event

    d = bot.dispatcher.d
    return Context(
        incoming=parse_event(line.text(line.uid(7), "x")),
        route=route or Route("test"),
        lang=lang,
        now=bot.clock.now(),
        state=ConversationState(),
        catalog=d.catalog,
        t=d.texts,
        notice=d.notice,
        ents=d.entities,
        entities=Entities(),
        lookups=NoLookups(),
        **fields,
    )
