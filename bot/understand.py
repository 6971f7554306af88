"""Router steps 7-9: entities first, then the classifier with the topic of the last turns.

7. A message that is only a province (typos allowed) gets its center; a center named by number
   or name gets that center; "แล้วสาย ส ล่ะ" gets that track; "อันที่สอง" the second card shown;
   a named program, fund or service gets its details (with the detail asked, if any).
8. The classifier. A detail question (documents, cost, deadline, eligibility, how to apply) is
   about the topic when there is one, and asks "which program?" when there is none. A handoff
   needs a clear request (`handoff_threshold`); below it the bot asks. Below the classifier's
   own thresholds the bot asks with the top 2-3 intents. A second request in the same message
   (a mentor and a center) is answered too.
9. Fallback, for text with nothing to classify.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.details import ACROSS
from domain.routes import Route, for_intent
from domain.state import ConversationState, Topic
from nlp import cues
from nlp.places import bare_province, center_ref

NOT_FOLLOW_UPS = {"contact", "privacy", "human", "unsubscribe"}  # when sure of these, not a follow-up
ASKS_WHICH = {"documents", "cost", "deadline", "eligibility", "duration"}
SECOND = {"contact", "mentor", "funding"}  # what a second request in one message may be
INFO = {"funding", "register"}  # sure of these, a question an FAQ entry answers squarely gets that entry
SQUARELY = 0.9  # coverage at which an FAQ entry answers a question an intent is sure about
SPLIT = re.compile(r"\s+|[,\n]|แล้วก็|และก็|อีกเรื่อง|อีกอย่าง|รวมถึง|(?<=\S)(?:และ|แล้ว)(?=ขอ|อยาก|มี|ช่วย)")


@dataclass(frozen=True)
class Understood:
    routes: list[Route]
    nlu: Any = None
    clean: str = ""


class Understanding:
    def __init__(
        self,
        classify: Callable[[str], Any],
        catalog: Any,
        ents: Any,
        handoff_threshold: float,
        exact: Callable[[str], Route | None] = lambda _t: None,
        search: Callable[[str], Any] | None = None,
    ) -> None:
        self.classify, self.catalog, self.ents = classify, catalog, ents
        self.handoff_threshold, self.exact, self.search = handoff_threshold, exact, search

    def route(self, text: str, state: ConversationState, now: datetime, staff_like: bool = False) -> Understood:
        if not re.search(r"[A-Za-z\u0e00-\u0e7f0-9]", text):
            return Understood([Route("fallback")])  # only emoji, punctuation, 10,000 spaces
        topic = state.topic_now(now)
        if found := self._entities(text, topic):
            return Understood([found])
        p = self.classify(text)
        clean = getattr(p, "clean", text)
        if clean != text and (rule := self.exact(clean)):
            return Understood([rule], p, clean)  # a command typed on the English layout: l,y8i = สมัคร
        if staff_like:
            return Understood([Route("fallback")], p, clean)  # a staff command typed by anyone else
        aspect = cues.aspect(text)
        sure_elsewhere = p.confident and p.intent in NOT_FOLLOW_UPS
        if aspect and not sure_elsewhere and (follow := self._follow_up(aspect, topic, p)):
            return Understood([follow], p, clean)
        if topic and topic.center and cues.asks_provinces(text):
            return Understood([Route("contact.center_id", {"center": topic.center})], p, clean)
        if (track := self._sector_track(text, p)) is not None:
            return Understood([Route("program.track", {"track": track})], p, clean)
        if p.intent == "human":
            return Understood([self._handoff(text, p)], p, clean)
        if (known := self._faq(clean, p)) is not None:
            return Understood([known], p, clean)
        if not p.confident:
            return Understood([Route("clarify")], p, clean)
        first = self._refine(for_intent(p.intent), text)
        return Understood([first, *self._second(text, p.intent)], p, clean)

    def _entities(self, text: str, topic: Topic | None) -> Route | None:
        if (n := center_ref(text)) is not None:
            return Route("contact.center_id", {"center": f"ipc{n}"})
        if province := bare_province(self.ents, text):
            return Route("contact.center", {"province": province})
        if track := cues.track_letter(text):
            return Route("program.track", {"track": track})
        if (n := cues.ordinal(text)) is not None:
            aspect = cues.aspect(text) or "overview"
            if topic and topic.programs and n <= len(topic.programs):
                return Route("program.detail", {"program": topic.programs[n - 1 if n > 0 else -1], "aspect": aspect})
            return Route("program.which", {"aspect": aspect}) if not (topic and topic.programs) else None
        named = self.catalog.named(text) if self.catalog else None
        if named is not None:
            asked = cues.aspect(text)
            if named.named_intent and not asked:
                return for_intent(named.named_intent)
            return Route("program.detail", {"program": named.id, "aspect": asked or "overview"})
        return None

    def _follow_up(self, aspect: str, topic: Topic | None, p: Any) -> Route | None:
        """A detail question about what the last turns showed; "which program?" without a topic."""
        if topic is None or not (topic.program or topic.programs):
            if aspect in ASKS_WHICH and p.intent not in ("funding", "mentor") and not p.intent.startswith("program"):
                return Route("program.which", {"aspect": aspect})
            return None
        ids = [topic.program] if topic.program else list(topic.programs)
        programs = [x for i in ids if (x := self.catalog.program(i))]
        if aspect == "amount" and not any(x.kind == "funding" for x in programs):
            return None  # "ดอกเบี้ยเท่าไหร่" after a training card is a funding question
        if len(ids) == 1:
            return Route("program.detail", {"program": ids[0], "aspect": aspect})
        if aspect in ACROSS:
            return Route("program.detail", {"programs": ids, "aspect": aspect})
        return Route("program.which", {"aspect": aspect, "options": ids})

    def _faq(self, text: str, p: Any) -> Route | None:
        """The FAQ for what the intents do not cover (unsure, out of scope), and for a question
        an FAQ entry answers squarely even when an intent is sure ("ต้องมี อย. ไหม")."""
        unsure = not p.confident or p.intent == "out_of_scope"
        if cues.asks_status(text) and p.intent in ("register", "human", "contact", "out_of_scope"):
            return Route("register.status")  # "ทำไมยังไม่มีใครโทรมา": their own applications, not the FAQ
        if self.search is None or not (unsure or (p.intent in INFO and cues.is_question(text))):
            return None
        found = self.search(text)
        keys = [k.split(":", 1)[1] for k in found.keys if k.startswith("faq:")]
        if found.kind == "answer" and found.keys[0].startswith("program:") and unsure:
            return Route("program.detail", {"program": found.keys[0].split(":", 1)[1], "aspect": "overview"})
        squarely = unsure or (found.ranked and found.ranked[0].coverage >= SQUARELY)
        if found.kind == "answer" and keys and found.keys[0].startswith("faq:") and squarely:
            return Route("faq.answer", {"id": keys[0]})
        if found.kind == "choices" and unsure and len(keys) >= 2:
            return Route("faq.choices", {"ids": keys})
        if not p.confident and cues.is_question(text):
            return Route("faq.unknown", {"candidates": keys})  # a question nothing covers: no guessing
        return None

    def _handoff(self, text: str, p: Any) -> Route:
        clear = p.confident and p.confidence >= self.handoff_threshold and self.ents.employees(text) is None
        return Route("human.open" if clear else "human.ask", {"text": text[:300]})

    def _refine(self, route: Route, text: str) -> Route:
        """The action inside an intent: erase or withdraw, stop or restart news, status, volunteer."""
        if route.name == "privacy" and (action := cues.privacy_action(text)):
            return Route(f"privacy.{action}")
        if route.name == "unsubscribe" and cues.wants_news(text):
            return Route("unsubscribe.resume")
        if route.name == "register" and cues.asks_status(text):
            return Route("register.status")
        if route.name == "register" and not cues.is_question(text):
            return Route("register.start")  # "อยากสมัคร", "สมัครเข้าร่วมโครงการ": a wish, not a question
        if route.name == "mentor" and cues.volunteers(text):
            return Route("mentor.volunteer")
        if route.name == "mentor" and cues.wants_mentor(text):
            return Route("mentor.request", {"intro": True})
        return route

    def _sector_track(self, text: str, p: Any) -> str | None:
        """A business described by its sector ("ทอผ้าไหม", "ร้านกลึง CNC") is that track's programs
        when the classifier cannot decide between tracks."""
        sector = self.ents.sector(text)
        if sector is None:
            return None
        leaning = [p.intent, *(a for a, _ in p.alternatives)]
        if p.confident or not any(i.startswith("program_") for i in leaning):
            return None  # a confident classifier knows the track better than one keyword
        return self.ents.sector_track.get(sector)

    def _second(self, text: str, first: str) -> list[Route]:
        """A second request in the same message ("อยากได้พี่เลี้ยง แล้วก็ขอเบอร์ศูนย์ขอนแก่น")."""
        chunks = [c for c in SPLIT.split(text) if c and len(c) >= 4]
        if len(chunks) < 2:
            return []
        for chunk in chunks:
            q = self.classify(chunk)
            if q.confident and q.confidence >= 0.6 and q.intent in SECOND and q.intent != first:
                if q.intent == "contact" and first.startswith(("program", "funding")) and self.ents.province(text):
                    return []  # the first answer already names the province's center
                return [self._refine(for_intent(q.intent, text=chunk), chunk)]
        return []
