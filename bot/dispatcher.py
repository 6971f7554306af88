"""`process_event`: the one entry point of a worker, the same in embedded and Redis mode.

Load -> route -> handler (pure) -> save explicitly -> send. A handler error is logged with
the event id and the user still gets a kind Thai message (STYLE.md 12).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.ids import mask, user_key
from bot.incoming import Incoming, parse_event
from bot.messenger import BaseMessenger, QuotaExceeded
from bot.messenger.render import to_line
from bot.router import MENTION, Route, Router
from bot.settings import Settings
from bot.store import Store
from bot.texts import Texts
from handlers import REGISTRY
from handlers.base import Context, Result, Text
from nlp.normalize import is_english
from nlp.review import item as review_item

log = logging.getLogger(__name__)


@dataclass
class Deps:
    settings: Settings
    store: Store
    messenger: BaseMessenger
    router: Router
    entities: Any  # nlp.entities.EntityExtractor
    catalog: Any  # bot.data.Catalog
    texts: Texts
    clock: Clock


class Dispatcher:
    def __init__(self, deps: Deps) -> None:
        self.d = deps

    def process(self, payload: str) -> None:
        inc = parse_event(json.loads(payload))
        d = self.d
        uh = user_key(d.settings.hash_key, inc.chat_id)
        user = d.store.get("user", uh) or {"v": 1, "id": inc.chat_id, "following": True}
        state = d.store.get("state", uh) or {"v": 1}
        prompt = state.pop("prompt", None)
        had_prompt = prompt is not None
        lang = _lang(inc, user)
        now = d.clock.now()
        route = d.router.route(inc, state, prompt, now, d.entities.province)
        if route is None:
            log.info("event %s (%s) from %s: nothing to send", inc.event_id, inc.kind, mask(inc.chat_id))
            if had_prompt:
                d.store.put("state", uh, state)
            return
        ctx = self._context(inc, route, user, state, lang, now)
        ctx.extra["pending_prompt"] = prompt
        result = self._run(route, ctx)
        self._save(uh, inc, user, state, had_prompt, lang, result)
        if result.review and inc.kind == "text" and not result.erase:
            # Clarify and fallback feed the NLU review list (redacted, HMAC-keyed, 30 days).
            d.store.add_review(uh, review_item(inc.text, ctx.nlu, route.name, now.isoformat()))
        self._send(inc, result)

    def _context(
        self, inc: Incoming, route: Route, user: dict[str, Any], state: dict[str, Any], lang: str, now: Any
    ) -> Context:
        extra = dict(route.extra)
        nlu = extra.pop("nlu", None)
        source = extra.get("original_text") or inc.text or inc.address
        if source:
            extra["entities"] = self.d.entities.extract(source, nlu.intent if nlu else route.name).as_dict()
        return Context(
            incoming=inc,
            lang=lang,
            user=user,
            state=state,
            data=self.d.catalog,
            now=now,
            staff=self.d.settings.staff_ids,
            t=self.d.texts,
            nlu=nlu,
            extra=extra,
        )

    def _run(self, route: Route, ctx: Context) -> Result:
        try:
            if route.name == "staff_close":
                ctx.extra["case_record"] = self.d.store.get("case", ctx.extra["case"])
            result = REGISTRY[route.name](ctx)
            log.info("event %s (%s) -> %s", ctx.incoming.event_id, ctx.incoming.kind, route.name)
            return result
        except Exception:
            log.exception("handler %s failed for event %s", route.name, ctx.incoming.event_id)
            return Result([Text(ctx.say("error.sorry"))])

    def _save(
        self,
        uh: str,
        inc: Incoming,
        user: dict[str, Any],
        state: dict[str, Any],
        had_prompt: bool,
        lang: str,
        r: Result,
    ) -> None:
        store = self.d.store
        if r.erase:
            for kind in ("user", "state", "profile"):
                store.delete(kind, uh)
        else:
            new_user = {**user, **r.user, "lang": lang}
            if new_user != user:
                store.put("user", uh, new_user)
            new_state = r.state if r.state is not None else state
            if r.state is not None or had_prompt:
                store.put("state", uh, {"v": 1, **new_state})
        for case, record in r.cases.items():
            store.put("case", case, record) if record else store.delete("case", case)
        for chat_id in r.release:
            other = user_key(self.d.settings.hash_key, chat_id)
            st = store.get("state", other) or {"v": 1}
            st.pop("handoff", None)
            store.put("state", other, st)

    def _send(self, inc: Incoming, r: Result) -> None:
        if inc.standby:
            return  # another channel has the chat: LINE gives no reply token, send nothing
        try:
            if r.messages:
                self.d.messenger.deliver(inc.chat_id, inc.reply_token, to_line(r.messages, r.choices))
            for p in r.pushes:
                self.d.messenger.push(p.to, to_line(list(p.messages), p.choices))
        except QuotaExceeded:
            log.error("LINE monthly limit reached: event %s not answered by push", inc.event_id)


def _lang(inc: Incoming, user: dict[str, Any]) -> str:
    """Answer in English to a user who writes English; otherwise keep the last language."""
    english = is_english(MENTION.sub("", inc.text)) if inc.kind == "text" else None
    if english is None:
        return str(user.get("lang", "th"))
    return "en" if english else "th"
