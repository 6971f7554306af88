"""The records that other records point to, written in one place by the dispatcher:
personal data behind the consent gate, staff decisions about other users, erasure."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from bot.ids import user_key
from bot.incoming import Incoming
from bot.privacy import consent_status, id_sha256
from handlers.base import Context, Result

log = logging.getLogger(__name__)


class Records:
    def __init__(self, deps: Any) -> None:
        self.d = deps  # bot.dispatcher.Deps, read at each call (tests swap the notice or the eraser)

    def staff_record(self, name: str, arg: str) -> Any:
        """The record a staff command is about (a case, a registration and its user, an intro)."""
        store = self.d.store
        if name == "staff_close":
            return store.get("case", arg)
        if name == "staff_confirm":
            ref = store.get("leadref", arg)
            lead = next((x for x in store.items("leads", ref["uh"]) if x["id"] == arg), None) if ref else None
            return (lead, store.get("user", ref["uh"]) or {}) if lead and ref else None
        if name == "staff_decide":
            return store.get("intro", arg)
        return None

    def save_personal(self, uh: str, ctx: Context, r: Result) -> None:
        store = self.d.store
        if r.clear_draft:
            store.delete("draft", uh)
        wants = r.profile is not None or (r.draft is not None and not r.clear_draft) or r.leads
        if not wants:
            return
        if not consent_status(store.items("consent", uh), self.d.notice)["current"]:
            # The one gate: no personal data without current consent, whatever a handler returns.
            log.error("event %s: personal data dropped, no current consent", ctx.incoming.event_id)
            return
        if r.profile is not None:
            store.put("profile", uh, r.profile)
        if r.draft is not None and not r.clear_draft:
            store.put("draft", uh, r.draft, ttl=self.d.notice.retention.drafts_days * 86_400)
        for lead in r.leads:
            store.append("leads", uh, lead)
            store.put("leadref", lead["id"], {"uh": uh})
            store.index_add("dip:lead-index", uh)

    def save_intro(self, iid: str, intro: dict[str, Any]) -> None:
        """An introduction and its effects: the mentor's load, and the mentee's request status."""
        store = self.d.store
        old = store.get("intro", iid)
        store.put("intro", iid, intro)
        if intro.get("mentor") and old is None:
            store.count_add("dip:mentor-load", intro["mentor"], 1)
        if intro.get("mentor") and old and old["status"] != "declined" and intro["status"] == "declined":
            store.count_add("dip:mentor-load", intro["mentor"], -1)
        mentee = user_key(self.d.settings.hash_key, intro["mentee_chat"])
        profile = store.get("profile", mentee)
        if profile and old is not None:
            requests = [
                {**r, "status": intro["status"]} if r.get("id") == iid else r
                for r in profile.get("mentor_requests", [])
            ]
            store.put("profile", mentee, {**profile, "mentor_requests": requests})

    def erase(self, inc: Incoming, uh: str, state: dict[str, Any]) -> None:
        handoff = state.get("handoff")
        if handoff:
            self.d.store.delete("case", handoff["case"])
        for lead in self.d.store.items("leads", uh):
            self.d.store.delete("leadref", lead["id"])
        for req in (self.d.store.get("profile", uh) or {}).get("mentor_requests", []):
            intro = self.d.store.get("intro", req["id"])
            if intro and intro.get("mentor") and intro["status"] != "declined":
                self.d.store.count_add("dip:mentor-load", intro["mentor"], -1)
            self.d.store.delete("intro", req["id"])
        self.d.store.erase(uh, id_sha256(inc.chat_id), self.d.clock.now().isoformat())
        self.d.on_erase(uh)
        log.info("event %s: user data erased", inc.event_id)

    def keep_message(self, uh: str, inc: Incoming, now: Any) -> None:
        """A copy of the message (consent given), dropping copies older than the retention."""
        days = self.d.notice.retention.messages_days
        cutoff = (now - timedelta(days=days)).isoformat()
        kept = [m for m in self.d.store.items("msgs", uh) if m.get("at", "") >= cutoff]
        kept.append({"id": inc.message_id, "text": inc.text[:5000], "at": now.isoformat()})
        self.d.store.replace_items("msgs", uh, kept, ttl=days * 86_400)

    def forget_message(self, uh: str, message_id: str) -> None:
        kept = [m for m in self.d.store.items("msgs", uh) if m.get("id") != message_id]
        self.d.store.replace_items("msgs", uh, kept)
