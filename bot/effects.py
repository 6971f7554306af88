"""The one place that applies handlers' effects to the store, in order (STYLE.md 7).

- Personal data (profile, draft, leads, mentor requests) is written only while the user's
  consent is current, checked here whatever a handler returns.
- Records that others point to are written idempotently (a lead or consent entry already there
  from an earlier run of the same event is not written again), so a re-run doubles nothing.
- Pushes, "continue with", the export link and review items are handed back to the dispatcher.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.broadcast.membership import reindex
from bot.broadcast.report import started
from bot.broadcast.segments import Segments
from bot.ids import user_key
from bot.privacy import consent_status, erase_user
from domain import effects as fx
from domain.kpi import fiscal_year
from domain.replies import Push
from domain.routes import Route

log = logging.getLogger(__name__)
PERSONAL = (fx.SaveProfile, fx.SaveDraft, fx.AppendLead)
SANDBOX = "sim:"  # the console simulator's users (bot/console/simulator.py): LINE's IDs are U + 32 hex
OUTSIDE = (fx.AppendLead, fx.RecordIntro, fx.OpenCase, fx.CloseCase, fx.ReleaseHandoff, fx.SetLeadStatus,
           fx.RecordGroup, fx.StartedFor, fx.Announce, fx.Review)  # fmt: skip


def sandboxed(chat_id: str | None) -> bool:
    return bool(chat_id and chat_id.startswith(SANDBOX))


def outside(chat_id: str, e: Any) -> bool:
    """A simulator user's lead, KPI, introduction, case, review item or staff alert: skipped."""
    return sandboxed(chat_id) and (isinstance(e, OUTSIDE) or (isinstance(e, fx.SendPush) and e.push.to != chat_id))


def announce(d: Any, e: fx.Announce, inc: Any, lang: str) -> Push:
    """A staff member's broadcast (or its test) handed to bot/broadcast; the outcome for them.
    A re-run of the same event finds the broadcast it created (dip:announce:{event_id})."""
    from bot.broadcast.compose import Desk, Problem
    from domain.replies import Text

    chat_id, mark = inc.chat_id, f"dip:announce:{inc.event_id}"
    r = getattr(d.store, "r", None)
    if r is None:
        return Push(to=chat_id, messages=(Text(d.texts("announce.no_redis", lang)),))
    desk = Desk(d.settings, r, d.catalog)
    try:
        draft = desk.draft(e.text, e.segment, None, None, count=not e.test)
        if e.test:
            desk.test(draft, chat_id)
            return Push(to=chat_id, messages=(Text(d.texts("announce.tested", lang)),))
        before = r.get(mark)
        rec = desk.broadcasts.get(before.decode()) if before else None
        if rec is None:
            rec = desk.submit(draft, by=e.by)
            r.set(mark, rec["id"], ex=2 * 86_400)
    except Problem as p:
        key = "announce.over_quota" if p.field == "quota" else "announce.refused"
        return Push(to=chat_id, messages=(Text(d.texts(key, lang, why=str(p), **p.extra)),))
    key = "announce.awaiting" if rec["status"] == "awaiting_approval" else "announce.started"
    return Push(to=chat_id, messages=(Text(d.texts(key, lang, id=rec["id"], count=draft.count)),))


@dataclass
class Applied:
    user: dict[str, Any]
    pushes: list[Push] = field(default_factory=list)
    follow: list[Route] = field(default_factory=list)
    reviews: list[fx.Review] = field(default_factory=list)
    export: bool = False
    erased: bool = False


class EffectApplier:
    def __init__(self, deps: Any) -> None:
        self.d = deps  # bot.dispatcher.Deps, read at each call (tests swap the notice or the eraser)

    def apply(self, uh: str, inc: Any, user: dict[str, Any], state: dict[str, Any], effects: list[Any]) -> Applied:
        out = Applied(user=dict(user))
        store = self.d.store
        for e in effects:
            if isinstance(e, PERSONAL) and not self._consented(uh):
                log.error("event %s: personal data dropped, no current consent", inc.event_id)
                continue
            if outside(inc.chat_id, e):
                continue  # the simulator's sandbox reaches nothing beyond its own chat
            match e:
                case fx.UpdateUser(fields=f):
                    out.user.update(f)
                case fx.AppendConsent(entry=entry):
                    self._consent(uh, {**entry, "event": inc.event_id})
                case fx.SaveProfile(profile=p):
                    store.put("profile", uh, p)
                case fx.SaveDraft(draft=d):
                    store.put("draft", uh, d, ttl=self.d.notice.retention.drafts_days * 86_400)
                case fx.ClearDraft():
                    store.delete("draft", uh)
                case fx.AppendLead(lead=lead):
                    self._lead(uh, lead)
                case fx.RecordIntro(intro=intro):
                    self._intro(intro)
                case fx.OpenCase(case=case, record=record):
                    store.open_case(case, uh, record)  # a handoff stays open (and listed) until resolved
                case fx.CloseCase(case=case):
                    store.close_case(case)
                case fx.ReleaseHandoff(chat_id=chat_id):
                    self._release(chat_id)
                case fx.SetLeadStatus():
                    self._lead_status(e)
                case fx.RecordGroup(group=g):
                    self._group(g)
                case fx.SendPush(push=p):
                    out.pushes.append(p)
                case fx.Erase():
                    self._erase(uh, inc, state)
                    out.erased = True
                case fx.Withdraw():
                    self._withdraw(uh)
                case fx.Export():
                    out.export = True
                case fx.Review():
                    out.reviews.append(e)
                case fx.StartedFor(program=program) if getattr(store, "r", None) is not None:
                    started(store.r, program, uh)
                case fx.Announce():
                    out.pushes.append(announce(self.d, e, inc, user.get("lang", "th")))
                case fx.ContinueWith(route=route):
                    out.follow.append(route)
        return out

    def _consented(self, uh: str) -> bool:
        return bool(consent_status(self.d.store.items("consent", uh), self.d.notice)["current"])

    def _consent(self, uh: str, entry: dict[str, Any]) -> None:
        ledger = self.d.store.items("consent", uh)
        if any(x.get("event") == entry["event"] and x.get("action") == entry["action"] for x in ledger):
            return  # the same event ran before
        self.d.store.append("consent", uh, entry)

    def _lead(self, uh: str, lead: dict[str, Any]) -> None:
        store = self.d.store
        if any(x.get("id") == lead["id"] for x in store.items("leads", uh)):
            return
        store.append("leads", uh, lead)
        store.put("leadref", lead["id"], {"uh": uh})
        store.index_add("dip:lead-index", uh)

    def _lead_status(self, e: fx.SetLeadStatus) -> None:
        store = self.d.store
        ref = store.get("leadref", e.lead_id)
        if ref:

            def changed(x: dict[str, Any]) -> dict[str, Any]:
                history = list(x.get("history") or [])
                if e.status != x.get("status", "submitted"):
                    history.append({"status": e.status, "at": e.at})
                return {**x, **e.extra, "status": e.status, "history": history}

            leads = store.items("leads", ref["uh"])
            store.replace_items("leads", ref["uh"], [changed(x) if x["id"] == e.lead_id else x for x in leads])
            if "confirmed" in (e.status, *(x.get("status") for x in leads if x["id"] == e.lead_id)):
                reindex(Segments(store), store, ref["uh"], self.d.notice, self.d.catalog)  # segment "confirmed"

    def _group(self, g: dict[str, Any]) -> None:
        key = str(fiscal_year(datetime.fromisoformat(g["at"])))
        if not any(x.get("id") == g["id"] for x in self.d.store.items("groups", key)):
            self.d.store.append("groups", key, g)

    def _intro(self, intro: dict[str, Any]) -> None:
        """An introduction and its effects: the mentor's load, and the mentee's request status."""
        store, iid = self.d.store, intro["id"]
        old = store.get("intro", iid)
        store.put("intro", iid, intro)
        if intro.get("mentor") and old is None:
            store.count_add("dip:mentor-load", intro["mentor"], 1)
        if intro.get("mentor") and old and old["status"] != "declined" and intro["status"] == "declined":
            store.count_add("dip:mentor-load", intro["mentor"], -1)
        mentee = user_key(self.d.settings.hash_key, intro["mentee_chat"])
        profile = store.get("profile", mentee)
        if profile and old is not None:
            requests = [{**r, "status": intro["status"]} if r.get("id") == iid else r
                        for r in profile.get("mentor_requests", [])]  # fmt: skip
            store.put("profile", mentee, {**profile, "mentor_requests": requests})

    def _release(self, chat_id: str) -> None:
        other = user_key(self.d.settings.hash_key, chat_id)
        raw = self.d.store.get("state", other)
        if raw and raw.get("handoff"):
            self.d.store.put("state", other, {k: v for k, v in raw.items() if k != "handoff"})

    def _withdraw(self, uh: str) -> None:
        store = self.d.store
        for kind in ("profile", "draft"):
            store.delete(kind, uh)
        for kind in ("leads", "msgs"):
            store.replace_items(kind, uh, [])
        store.delete_reviews(uh)

    def _erase(self, uh: str, inc: Any, state: dict[str, Any]) -> None:
        erase_user(self.d.store, uh, inc.chat_id, self.d.clock.now().isoformat(), state)
        self.d.on_erase(uh)
        log.info("event %s: user data erased", inc.event_id)
