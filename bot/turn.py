"""One turn: run the routed handlers in order, apply their effects, follow "continue with", and
offer an interrupted question again (the form's current question, a consent question).

A prompt lives for one turn: it is cleared before the handlers run, and a handler that asks
something sets a new one. While the form is open and nothing else is being asked, the form's
question is put back on screen, so an interruption never loses the user's place.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.effects import EffectApplier
from bot.lookups import StoreLookups
from bot.privacy import consent_status
from domain.context import Context, Result
from domain.effects import ContinueWith, Review, SendPush, UpdateUser
from domain.incoming import Incoming
from domain.prompts import Form, Menu
from domain.replies import Choice, Message, Push
from domain.routes import Route
from domain.state import ConversationState
from handlers import REGISTRY

SENDS_ONLY = (SendPush, Review, ContinueWith, UpdateUser)  # effects after which nothing stored changed

log = logging.getLogger(__name__)
MAX_STEPS = 6  # routes run in one turn, "continue with" included


@dataclass
class Loaded:
    uh: str
    user: dict[str, Any]
    state: ConversationState
    raw_state: dict[str, Any]
    snap: dict[str, Any] = field(default_factory=dict)  # consent, profile, draft, leads (store.snapshot)


@dataclass
class Outcome:
    messages: list[Message] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    pushes: list[Push] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    user: dict[str, Any] = field(default_factory=dict)
    state: ConversationState = field(default_factory=ConversationState)
    export: bool = False
    erased: bool = False
    ran: list[str] = field(default_factory=list)
    ctx: Context | None = None


class TurnRunner:
    def __init__(self, deps: Any) -> None:
        self.d = deps
        self.effects = EffectApplier(deps)

    def run(self, inc: Incoming, got: Loaded, routed: Any, now: datetime, lang: str) -> Outcome:
        out = Outcome(user=dict(got.user), state=got.state.with_(prompt=None))
        queue = list(routed.routes)
        while queue and len(out.ran) < MAX_STEPS:
            self._step(queue.pop(0), inc, got, routed, now, lang, out, queue)
            if out.erased:
                return out
        if out.state.handoff and out.state.handoff.active(now):
            return out
        again = self._again(routed.interrupted, out.state)
        if again is not None and len(out.ran) < MAX_STEPS:
            self._step(again, inc, got, routed, now, lang, out, [])
        elif isinstance(routed.interrupted, Form) and routed.interrupted.step == "resume":
            out.state = out.state.with_(form=None)  # "continue?" ignored: the draft waits, paused
        return out

    @staticmethod
    def _again(interrupted: Any, state: ConversationState) -> Route | None:
        if (
            state.form is not None
            and state.form.step != "resume"
            and (state.prompt is None or isinstance(state.prompt, Menu))
        ):
            return Route("form.reoffer")  # the menu mid-form: shown, then the form's question again
        if state.prompt is not None:
            return None
        return interrupted.reoffer() if interrupted is not None and not isinstance(interrupted, Form) else None

    def _step(self, route: Route, inc: Incoming, got: Loaded, routed: Any, now: datetime, lang: str,
              out: Outcome, queue: list[Route]) -> None:  # fmt: skip
        ctx = self.context(inc, route, got, out, routed.nlu, now, lang)
        result = self._safe(route, ctx)
        applied = self.effects.apply(got.uh, inc, out.user, got.raw_state, result.effects)
        if any(not isinstance(e, SENDS_ONLY) for e in result.effects):
            got.snap = self.d.store.snapshot(got.uh)  # what the next route of this turn reads
        out.user, out.ctx = applied.user, ctx
        out.messages += result.messages
        out.choices = result.choices or out.choices
        if result.state is not None:
            out.state = result.state
        out.pushes += applied.pushes
        out.reviews += applied.reviews
        out.export = out.export or applied.export
        out.erased = applied.erased
        out.ran.append(route.name)
        queue[0:0] = applied.follow

    def _safe(self, route: Route, ctx: Context) -> Result:
        handler = REGISTRY.get(route.name) or REGISTRY["error"]
        try:
            return handler(ctx)
        except Exception:
            log.exception("handler %s failed for event %s", route.name, ctx.incoming.event_id)
            return REGISTRY["error"](ctx)

    def context(self, inc: Incoming, route: Route, got: Loaded, out: Outcome, nlu: Any, now: datetime,
                lang: str) -> Context:  # fmt: skip
        d, snap, private = self.d, got.snap, not inc.in_group
        source = str(route.args.get("text") or inc.text or inc.address)
        intent = nlu.intent if nlu is not None else None
        entities = d.entities.extract(source, intent) if source else d.entities.extract("")
        return Context(
            incoming=inc,
            route=route,
            lang=lang,
            now=now,
            state=out.state,
            catalog=d.catalog,
            t=d.texts,
            notice=d.notice,
            ents=d.entities,
            entities=entities,
            lookups=StoreLookups(d.store, got.uh, d.settings, d.catalog),
            nlu=nlu,
            consent=consent_status(snap.get("consent") or [], d.notice),
            user=out.user,
            profile=snap.get("profile") if private else None,
            draft=snap.get("draft") if private else None,
            leads=(snap.get("leads") or []) if private else [],
            staff=d.settings.staff_ids,
            asked=got.state.prompt,
        )
