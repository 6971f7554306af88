"""The router, in the order ARCHITECTURE.md gives (one test per step in tests/test_router.py):

1 handoff gate, 2 global commands, 3 the active prompt, 4 postback payloads, 5 staff commands,
6 exact rules, 7 entities first, 8 the classifier with the topic of the last turns (bot/
understand.py), 9 fallback. A prompt reads its own answers (domain/prompts.py); text that is
not an answer goes on down the steps and the dispatcher offers the prompt again afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.understand import Understanding
from domain.commands import CHOICE_ROUTES, GLOBAL, RULES, fuzzy_global, postback_route, staff_command
from domain.incoming import Incoming
from domain.prompts import Confirm, Prompt, Reading
from domain.routes import Route, personal
from domain.state import ConversationState
from nlp import cues
from nlp.normalize import command_key

MENTION = re.compile(r"@\S+\s*")
BACK_TO_BOT = re.compile(r"กลับ.{0,10}(?:บอท|บอด|บอต|bot)|back to (?:the )?bot", re.I)


@dataclass(frozen=True)
class Routed:
    routes: list[Route]
    nlu: Any = None  # nlp.classifier.Prediction, when the classifier was asked
    interrupted: Prompt | None = None  # the question this message did not answer
    clean: str = ""  # the text as understood (keyboard layout fixed), for the reply language
    notes: dict[str, Any] = field(default_factory=dict)


class Router:
    def __init__(
        self,
        classify: Callable[[str], Any],
        staff_ids: frozenset[str],
        texts: Any,
        catalog: Any,
        ents: Any,
        handoff_threshold: float = 0.8,
        nlu: dict[str, Any] | None = None,  # config/nlu.yml as the caller read it (read here when None)
    ) -> None:
        self.classify, self.staff_ids, self.ents, self.catalog = classify, staff_ids, ents, catalog
        self.rules = dict(RULES)
        self.choice_keys: dict[str, str] = {}
        for key, labels in (texts.labels("choice") if texts else {}).items():
            for label in labels:
                self.choice_keys.setdefault(command_key(label), key)
                if key in CHOICE_ROUTES:
                    self.rules.setdefault(command_key(label), CHOICE_ROUTES[key])
        search = None
        if catalog is not None:
            from bot.faq import FaqSearch
            from nlp.classifier import load_settings

            settings = nlu if nlu is not None else load_settings()
            search = FaqSearch(catalog, settings, getattr(classify, "learned", None))  # bot/nlu.py
            for e in catalog.faq.entries:  # an FAQ choice's label, tapped or typed
                for label in (e.label_th, e.label_en):
                    if label:
                        self.rules.setdefault(command_key(label), Route("faq.answer", {"id": e.id}))
        self.understand = Understanding(classify, catalog, ents, handoff_threshold, self._exact, search)

    def _exact(self, text: str) -> Route | None:
        key = command_key(text)
        return GLOBAL.get(key) or self.rules.get(key)

    def choice_of(self, text: str) -> str | None:
        return self.choice_keys.get(command_key(text))

    def reading(self, text: str, now: datetime) -> Reading:
        named = self.catalog.named if self.catalog else (lambda _t: None)
        return Reading(text, command_key(text), now, self.ents, self.choice_of, self.classify,
                       lambda t: getattr(named(t), "id", None))  # fmt: skip

    def route(self, inc: Incoming, state: ConversationState, now: datetime) -> Routed | None:
        """None means: send nothing."""
        if inc.kind in ("follow", "unfollow", "unsend"):
            return Routed([Route(inc.kind)])
        if inc.kind == "join":
            return Routed([Route("group.joined")])
        if inc.kind == "other" or (inc.in_group and not (inc.kind == "text" and inc.mentioned)):
            return None  # in groups the bot speaks only when mentioned
        text = MENTION.sub("", inc.text).strip() if inc.in_group else inc.text
        key = command_key(text)
        prompt = state.prompt
        # 1. handoff gate: quiet while a person has the conversation, except commands and privacy.
        if state.handoff and state.handoff.active(now):
            return self._gate(inc, text, key, prompt, now)
        # 2. global commands, also mistyped.
        if inc.kind == "text" and (found := GLOBAL.get(key) or fuzzy_global(key)):
            return self._public(inc, Routed([found]))
        # 3. the active prompt reads its own answers.
        interrupted = None
        if inc.kind == "text" and prompt is not None and text.strip():
            if answer := prompt.parse(self.reading(text, now)):
                return self._public(inc, Routed([answer]))
            interrupted = prompt
        # 4. postback payloads: a card's buttons; old or unknown buttons are answered politely.
        if inc.kind == "postback":
            return self._public(inc, Routed([postback_route(inc.data, self.catalog)], interrupted=interrupted))
        if inc.kind in ("sticker", "media"):
            return Routed([Route("media")], interrupted=interrupted)
        if inc.kind == "location":
            return self._public(inc, Routed([Route("location")], interrupted=interrupted))
        # 5. staff commands, only from staff.
        if inc.user_id in self.staff_ids and (command := staff_command(text)):
            return Routed([command])
        # 6. exact rules and quick-reply taps.
        if key in self.rules:
            return self._public(inc, Routed([self.rules[key]], interrupted=interrupted))
        # 7-9. entities first, the classifier with the topic, fallback.
        routed = self.understand.route(text, state, now, staff_like=staff_command(text) is not None)
        return self._public(inc, Routed(routed.routes, routed.nlu, interrupted, routed.clean))

    def _gate(self, inc: Incoming, text: str, key: str, prompt: Prompt | None, now: datetime) -> Routed | None:
        if inc.kind != "text":
            return None
        if found := GLOBAL.get(key) or fuzzy_global(key):
            return Routed([found])
        if isinstance(prompt, Confirm) and (answer := prompt.parse(self.reading(text, now))):
            return Routed([answer])
        if BACK_TO_BOT.search(text):
            return Routed([Route("back_to_bot")])
        if action := cues.privacy_action(text):
            return Routed([Route(f"privacy.{action}")])
        return None

    def _public(self, inc: Incoming, r: Routed) -> Routed:
        """Personal flows are not run in a group: move them to a 1:1 chat."""
        if inc.in_group and any(personal(x.name) for x in r.routes):
            return Routed([Route("group.private")])
        return r
