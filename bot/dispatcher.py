"""`process_event`: the one entry point of a worker, the same in embedded and Redis mode.

Load -> route -> handler (pure) -> save explicitly -> send. A handler error is logged with
the event id and the user still gets a kind Thai message (STYLE.md 12). Personal data is
written only here, and only while the user's consent is current (bot/privacy.py).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.clock import Clock
from bot.ids import mask, user_key
from bot.incoming import Incoming, parse_event
from bot.kpi import fiscal_year
from bot.messenger import BaseMessenger, QuotaExceeded
from bot.messenger.render import to_line
from bot.privacy import Notice, collect, consent_status, export_serializer
from bot.records import Records
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
    notice: Notice
    on_erase: Callable[[str], Any] = lambda uh: None  # e.g. delete the user's RQ jobs


@dataclass
class Loaded:
    uh: str
    user: dict[str, Any]
    state: dict[str, Any]
    prompt: dict[str, Any] | None
    consent: dict[str, Any]


class Dispatcher:
    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self.records = Records(deps)

    def process(self, payload: str) -> None:
        inc = parse_event(json.loads(payload))
        d = self.d
        now = d.clock.now()
        got = self._load(inc)
        route = d.router.route(inc, got.state, got.prompt, now, d.entities.province)
        if inc.kind == "unsend" and inc.message_id:
            self.records.forget_message(got.uh, inc.message_id)
        if route is None:
            log.info("event %s (%s) from %s: nothing to send", inc.event_id, inc.kind, mask(inc.chat_id))
            if got.prompt is not None:
                d.store.put("state", got.uh, got.state)
            return
        if got.consent["current"] and inc.kind == "text" and not inc.in_group:
            self.records.keep_message(got.uh, inc, now)
        ctx = self._context(inc, route, got, now)
        result = self._run(route, ctx)
        self._save(inc, got, ctx, result)
        if result.review and inc.kind == "text" and not result.erase:
            # Clarify and fallback feed the NLU review list (redacted, HMAC-keyed, 30 days).
            days = d.notice.retention.review_days
            d.store.add_review(got.uh, review_item(inc.text, ctx.nlu, route.name, now.isoformat()), days * 86_400)
        if result.export:
            result.messages.append(self._export_link(ctx, got.uh))
        self._send(inc, result)

    def _load(self, inc: Incoming) -> Loaded:
        uh = user_key(self.d.settings.hash_key, inc.chat_id)
        store = self.d.store
        user = store.get("user", uh) or {"v": 1, "id": inc.chat_id, "following": True}
        state = store.get("state", uh) or {"v": 1}
        prompt = state.pop("prompt", None)
        consent = consent_status(store.items("consent", uh), self.d.notice)
        return Loaded(uh, user, state, prompt, consent)

    def _context(self, inc: Incoming, route: Route, got: Loaded, now: Any) -> Context:
        d, extra = self.d, dict(route.extra)
        nlu = extra.pop("nlu", None)
        source = extra.get("original_text") or inc.text or inc.address
        if source:
            extra["entities"] = d.entities.extract(source, nlu.intent if nlu else route.name).as_dict()
        extra["pending_prompt"] = got.prompt
        if route.name.startswith("staff_"):
            extra["record"] = self.records.staff_record(route.name, extra["arg"])
        if route.name == "privacy":
            extra["mydata"] = collect(d.store, got.uh)
        if route.name in ("mentor", "consent_granted"):
            extra["mentor_load"] = d.store.counts("dip:mentor-load")
        private = not inc.in_group
        return Context(
            incoming=inc,
            lang=_lang(inc, got.user),
            user=got.user,
            state=got.state,
            data=d.catalog,
            now=now,
            staff=d.settings.staff_ids,
            t=d.texts,
            nlu=nlu,
            extra=extra,
            consent=got.consent,
            notice=d.notice,
            ents=d.entities,
            profile=d.store.get("profile", got.uh) if private else None,
            draft=d.store.get("draft", got.uh) if private else None,
            leads=d.store.items("leads", got.uh) if private else [],
        )

    def _run(self, route: Route, ctx: Context) -> Result:
        try:
            result = REGISTRY[route.name](ctx)
            log.info("event %s (%s) -> %s", ctx.incoming.event_id, ctx.incoming.kind, route.name)
            return result
        except Exception:
            log.exception("handler %s failed for event %s", route.name, ctx.incoming.event_id)
            return Result([Text(ctx.say("error.sorry"))])

    def _save(self, inc: Incoming, got: Loaded, ctx: Context, r: Result) -> None:
        store, uh = self.d.store, got.uh
        for entry in r.consent:
            store.append("consent", uh, entry)
        if r.erase:
            self.records.erase(inc, got.uh, got.state)
            return
        if r.withdraw:
            for kind in ("profile", "draft"):
                store.delete(kind, uh)
            for kind in ("leads", "msgs"):
                store.replace_items(kind, uh, [])
            store.delete_reviews(uh)
        new_user = {**got.user, **r.user, "lang": ctx.lang}
        if new_user != got.user:
            store.put("user", uh, new_user)
        if r.state is not None or got.prompt is not None:
            store.put("state", uh, {"v": 1, **(r.state if r.state is not None else got.state)})
        self.records.save_personal(uh, ctx, r)
        for iid, intro in r.intros.items():
            self.records.save_intro(iid, intro)
        for case, record in r.cases.items():
            store.put("case", case, record) if record else store.delete("case", case)
        for lead_id, status in r.lead_status.items():
            ref = store.get("leadref", lead_id)
            if ref:
                leads = store.items("leads", ref["uh"])
                store.replace_items(
                    "leads", ref["uh"], [{**x, "status": status} if x["id"] == lead_id else x for x in leads]
                )
        for g in r.groups:
            store.append("groups", str(fiscal_year(datetime.fromisoformat(g["at"]))), g)
        for chat_id in r.release:
            other = user_key(self.d.settings.hash_key, chat_id)
            st = store.get("state", other) or {"v": 1}
            st.pop("handoff", None)
            store.put("state", other, st)

    def _export_link(self, ctx: Context, uh: str) -> Text:
        token = export_serializer(self.d.settings.hash_key).dumps(uh)
        return ctx.text("privacy.export_link", url=f"{self.d.settings.public_base_url}/export/{token}")

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
