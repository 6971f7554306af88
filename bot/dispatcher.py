"""`process_event`: the one entry point of a worker, the same in embedded and Redis mode.

Load -> route -> handlers (pure) -> effects applied in one place -> save -> send. Any failure
while routing, classifying or answering is logged with the event ID and the user still gets a
kind Thai answer with the menu (STYLE.md 12). Personal data is written only while the user's
consent is current (bot/effects.py).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.broadcast.membership import changed_keys
from bot.broadcast.segments import Segments
from bot.daily import Daily
from bot.effects import sandboxed
from bot.ids import mask, user_key
from bot.incoming import Incoming, parse_event
from bot.messenger import BaseMessenger, QuotaExceeded, Sending
from bot.messenger.render import to_line
from bot.metrics import NoMetrics
from bot.privacy import Notice, consent_status, export_serializer
from bot.router import MENTION, Routed, Router
from bot.settings import Settings
from bot.store import Store
from bot.store.base import TurnSave
from bot.turn import Loaded, Outcome, TurnRunner
from domain.clock import Clock
from domain.replies import Text
from domain.routes import Route
from domain.state import ConversationState
from domain.texts import Texts
from nlp.normalize import command_key, is_english
from nlp.review import item as review_item

log = logging.getLogger(__name__)
SWITCH_NOTHING = {"ok", "okay", "yes", "no", "y", "n"}  # typed by Thai and English speakers alike


@dataclass
class Deps:
    settings: Settings
    store: Store
    messenger: BaseMessenger
    router: Router
    entities: Any  # nlp.entities.EntityExtractor
    catalog: Any  # domain.catalog.Catalog
    texts: Texts
    clock: Clock
    notice: Notice
    on_erase: Callable[[str], Any] = lambda uh: None  # e.g. delete the user's RQ jobs
    metrics: Any = field(default_factory=NoMetrics)


class Dispatcher:
    def __init__(self, deps: Deps) -> None:
        self.d = deps
        self.turns = TurnRunner(deps)
        self.segments = Segments(deps.store)
        self.daily = Daily(deps.store)  # the dashboard's daily counts (bot/daily.py)

    def process(self, payload: str, tries: int = 1) -> str | None:
        """One event. `tries` > 1: an earlier run did not finish; nothing is sent twice (the reply's
        mark, push retry keys from the event) and records carry IDs from the event."""
        started = time.monotonic()
        inc = parse_event(json.loads(payload))
        d, now = self.d, self.d.clock.now()
        got = self._load(inc, tries, now)
        try:
            routed = d.router.route(inc, got.state, now)
        except Exception:
            log.exception("routing failed for event %s", inc.event_id)
            routed = Routed([Route("error")])
        if inc.kind == "unsend" and inc.message_id:
            self._forget_message(got.uh, inc.message_id)
        if routed is None:
            log.info("event %s (%s) from %s: nothing to send", inc.event_id, inc.kind, mask(inc.chat_id))
            return None
        consented = consent_status(got.snap["consent"], d.notice)["current"]
        if consented and inc.kind == "text" and not inc.in_group:
            self._keep_message(got.uh, inc, now)
        before = got.snap  # the turn replaces got.snap when it stores something
        out = self.turns.run(inc, got, routed, now, _lang(inc, got.user, routed.clean))
        log.info("event %s (%s) -> %s", inc.event_id, inc.kind, ",".join(out.ran))
        d.metrics.routed(out.ran)
        self.daily.count(inc, routed, out, got.state, now)  # once per event, re-runs included
        sending = self._sending(inc, tries)
        if not out.erased:
            self._save(inc, got, out)
            if not sandboxed(inc.chat_id):  # the console's simulator: in no broadcast segment
                self._index(got, before, out, tries)
            for review in out.reviews:
                if inc.kind == "text":  # clarify, fallback and "don't know" feed the review list
                    days = d.notice.retention.review_days
                    item = review_item(inc.text, routed.nlu, review.kind, now.isoformat())
                    d.store.add_review(got.uh, {**item, "candidates": list(review.candidates)}, days * 86_400)
        if out.export:
            out.messages.append(self._export_link(got.uh, out))
        self._send(inc, out, sending)
        d.metrics.processed(inc.kind, inc.timestamp, time.monotonic() - started)
        return "erased" if out.erased else None

    def apologize(self, payload: str, why: str) -> None:
        """A kind answer for an event that failed 3 times ("dead") or came in a flood ("flood")."""
        inc = parse_event(json.loads(payload))
        if inc.standby or inc.kind not in ("text", "postback", "sticker", "media", "location"):
            return
        lang = str((self._load(inc).user or {}).get("lang", "th"))
        text = self.d.texts("error.sorry" if why == "dead" else "error.flood", lang)
        sending = self._sending(inc, 2)
        self.d.messenger.deliver(inc.chat_id, inc.reply_token, to_line([Text(text)]), sending)

    def _sending(self, inc: Incoming, tries: int) -> Sending:
        store = self.d.store
        return Sending(
            event_id=inc.event_id,
            deadline=inc.timestamp / 1000 + self.d.settings.REPLY_TOKEN_SECONDS,
            mark=lambda value: None,  # written with the state, in the same round trip (_save)
            marked=store.marked(inc.event_id) if tries > 1 else None,
        )

    def _load(self, inc: Incoming, tries: int = 1, now: datetime | None = None) -> Loaded:
        """The user and state this event starts from. A re-run of an event whose turn was saved
        (the worker died before finishing it) starts again from the state before that turn."""
        uh = user_key(self.d.settings.hash_key, inc.chat_id)
        snap = self.d.store.snapshot(uh)
        undo = self.d.store.get("undo", uh) if tries > 1 else None
        if undo and undo.get("event") == inc.event_id:
            snap = {**snap, "user": undo["user"], "state": undo["state"]}
        user = snap["user"] or {"v": 1, "id": inc.chat_id, "following": True}
        raw = snap["state"] or {}
        try:
            state = ConversationState.from_json(raw)
        except Exception:  # a state this version cannot read: start the conversation afresh
            log.exception("unreadable state for %s: starting afresh", mask(inc.chat_id))
            state = ConversationState()
        if now is not None:
            state = state.hearing(snap.get("heard"), now)
        return Loaded(uh, user, state, raw, snap)

    def _save(self, inc: Incoming, got: Loaded, out: Outcome) -> None:
        """User and state, what they were before (for a re-run of this event) and the reply's
        "started" mark, in one round trip before sending."""
        lang = out.ctx.lang if out.ctx else got.user.get("lang", "th")
        user = {**out.user, "lang": lang}
        new = out.state.to_json()
        changed = user != got.user or new != got.raw_state
        turn = TurnSave(
            user=user if user != got.user else None,
            state=new if new != got.raw_state else None,
            replying=inc.event_id if out.messages and inc.reply_token and not inc.standby else None,
            before={"v": 1, "event": inc.event_id, "user": got.user, "state": got.raw_state} if changed else None,
        )
        self.d.store.save_turn(got.uh, turn)

    def _index(self, got: Loaded, before: dict[str, Any], out: Outcome, tries: int) -> None:
        """The user's broadcast segments after the turn, written (one round trip) only when they
        changed; a re-run writes them anyway (the first run may have died before)."""
        d = self.d
        keys = changed_keys(before["user"], before, out.user, got.snap, d.notice, d.catalog, force=tries > 1)
        if keys is not None:
            self.segments.update(got.uh, keys)

    def _keep_message(self, uh: str, inc: Incoming, now: Any) -> None:
        """A copy of the message (consent given), dropping copies older than the retention."""
        from datetime import timedelta

        days = self.d.notice.retention.messages_days
        cutoff = (now - timedelta(days=days)).isoformat()
        kept = [m for m in self.d.store.items("msgs", uh) if m.get("at", "") >= cutoff]
        kept.append({"id": inc.message_id, "text": inc.text[:5000], "at": now.isoformat()})
        self.d.store.replace_items("msgs", uh, kept, ttl=days * 86_400)

    def _forget_message(self, uh: str, message_id: str) -> None:
        kept = [m for m in self.d.store.items("msgs", uh) if m.get("id") != message_id]
        self.d.store.replace_items("msgs", uh, kept)

    def _export_link(self, uh: str, out: Outcome) -> Any:
        token = export_serializer(self.d.settings.hash_key).dumps(uh)
        assert out.ctx is not None
        return out.ctx.text("privacy.export_link", url=f"{self.d.settings.public_base_url}/export/{token}")

    def _send(self, inc: Incoming, out: Outcome, sending: Sending) -> None:
        if inc.standby:
            return  # another channel has the chat: LINE gives no reply token, send nothing
        try:
            if out.messages:
                self.d.messenger.deliver(inc.chat_id, inc.reply_token, to_line(out.messages, out.choices), sending)
            for n, p in enumerate(out.pushes, 100):
                if p.to in self.d.settings.staff_ids and not self._alert_allowed(p.to):
                    log.warning("event %s: staff alert to %s over the limit, not sent", inc.event_id, mask(p.to))
                    continue
                self.d.messenger.push(p.to, to_line(list(p.messages), p.choices), sending.key(n))
        except QuotaExceeded:
            log.error("LINE monthly limit reached: event %s not answered by push", inc.event_id)

    def _alert_allowed(self, staff: str) -> bool:
        minute = self.d.clock.now().strftime("%Y%m%d%H%M")
        count = self.d.store.incr_window(f"dip:alerts:{minute}:{user_key(self.d.settings.hash_key, staff)[:8]}", 120)
        return count <= self.d.settings.STAFF_ALERTS_PER_MINUTE


def _lang(inc: Incoming, user: dict[str, Any], clean: str) -> str:
    """Answer in English to a user who writes English (as understood: a Thai word typed on the
    English keyboard layout is Thai); otherwise keep the last language."""
    if inc.kind != "text" or command_key(inc.text) in SWITCH_NOTHING:
        return str(user.get("lang", "th"))
    english = is_english(clean or MENTION.sub("", inc.text))
    return str(user.get("lang", "th")) if english is None else "en" if english else "th"
