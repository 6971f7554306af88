"""Prompts: a question the bot asked, as a type that reads its own answers (STYLE.md 13).

`parse` returns the route an answer leads to, or None for "not an answer": the router then
routes the text as usual, and a sticky prompt is offered again after that (its `reoffer`).
Every prompt accepts typed answers (a number, a word) because quick replies do not show in
LINE for PC. Prompts are stored as JSON inside the conversation state.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, ClassVar

from domain import form
from domain.menus import MAIN
from domain.routes import Route, for_intent

YES = {"ยินยอม", "ยอมรับ", "ตกลง", "agree", "iagree", "yes", "ok", "โอเค", "ได้", "ใช่", "ยินยอมค่ะ"}
NO = {"ไม่ยินยอม", "ไม่ยอมรับ", "ไม่ตกลง", "disagree", "no", "ไม่", "ไม่ได้", "ไม่ใช่"}
CONFIRM_ERASE = {"ยืนยันลบข้อมูล", "ยืนยันลบ", "ยืนยัน", "confirmdelete", "confirm", "ลบเลย"}
CONFIRM_WITHDRAW = {"ยืนยันถอนความยินยอม", "ยืนยันถอน", "ยืนยัน", "confirmwithdrawal", "confirm"}
WANT_PERSON = {"ใช่", "ต้องการ", "ใช่ต้องการ", "ครับ", "ค่ะ", "yes", "ok", "โอเค", "ได้", "เอา", "คุยกับเจ้าหน้าที่"}
NO_PERSON = {"ไม่", "ไม่ใช่", "ไม่เป็นไร", "ไม่ต้อง", "ไม่ต้องการ", "no", "nothanks", "คุยกับบอทต่อ"}
PAUSE = {"พัก", "พักไว้", "พักไว้ก่อน", "เก็บไว้", "เก็บไว้ก่อน", "pause", "keep", "later", "1"}
DISCARD = {"ทิ้ง", "ทิ้งใบสมัคร", "ลบ", "ลบใบสมัคร", "discard", "delete", "2"}


@dataclass(frozen=True)
class Reading:
    """What a prompt may use to read an answer."""

    text: str
    key: str  # nlp.normalize.command_key(text)
    now: datetime
    ents: Any  # nlp.entities.EntityExtractor
    choice_of: Callable[[str], str | None]  # the choice.* key whose label (Thai or English) was typed
    classify: Callable[[str], Any] | None = None
    program_named: Callable[[str], str | None] = lambda _t: None


class Prompt:
    kind: ClassVar[str]

    def parse(self, r: Reading) -> Route | None:
        raise NotImplementedError

    def reoffer(self) -> Route | None:
        """Sticky prompts are offered again after an interruption; others are dropped."""
        return None


@dataclass(frozen=True)
class Clarify(Prompt):
    kind: ClassVar[str] = "clarify"
    options: tuple[str, ...]  # intents, offered numbered
    text: str = ""  # the message that was unclear: its entities go with the chosen intent

    def parse(self, r: Reading) -> Route | None:
        picked = _number(r.key, len(self.options))
        if picked is None and (choice := r.choice_of(r.text)):
            picked = next((i for i, o in enumerate(self.options) if form.SHORT.get(o) == choice), None)
        return for_intent(self.options[picked], text=self.text) if picked is not None else None


@dataclass(frozen=True)
class Menu(Prompt):
    kind: ClassVar[str] = "menu"

    def parse(self, r: Reading) -> Route | None:
        from domain.commands import CHOICE_ROUTES

        picked = _number(r.key, len(MAIN))
        return CHOICE_ROUTES[MAIN[picked]] if picked is not None else None


@dataclass(frozen=True)
class Consent(Prompt):
    kind: ClassVar[str] = "consent"
    then: Route  # the flow to carry on with once consent is given

    def parse(self, r: Reading) -> Route | None:
        if r.key in NO or r.choice_of(r.text) == "consent_no" or "ไม่ยินยอม" in r.key:
            return Route("consent.refused")
        if r.key in YES or r.choice_of(r.text) == "consent_yes" or ("ยินยอม" in r.key and len(r.key) <= 20):
            return Route("consent.granted", {"then": self.then.to_json()})
        return None

    def reoffer(self) -> Route | None:
        return Route("consent.ask", {"then": self.then.to_json()})


@dataclass(frozen=True)
class Confirm(Prompt):
    """A typed confirmation of an erasure or a withdrawal."""

    kind: ClassVar[str] = "confirm"
    action: str  # "erase" | "withdraw"

    def parse(self, r: Reading) -> Route | None:
        words = CONFIRM_ERASE if self.action == "erase" else CONFIRM_WITHDRAW
        ok = r.key in words or r.choice_of(r.text) == f"{self.action}_confirm"
        return Route(f"privacy.{self.action}_confirmed") if ok else None


@dataclass(frozen=True)
class Province(Prompt):
    kind: ClassVar[str] = "province"

    def parse(self, r: Reading) -> Route | None:
        province = r.ents.province(r.text) if len(r.text) <= 80 else None
        return Route("contact.center", {"province": province}) if province else None


@dataclass(frozen=True)
class MentorTrack(Prompt):
    kind: ClassVar[str] = "mentor_track"

    def parse(self, r: Reading) -> Route | None:
        track = form.track_of(r)
        return Route("mentor.request", {"track": track}) if track else None

    def reoffer(self) -> Route | None:
        return Route("mentor.ask_track")


@dataclass(frozen=True)
class Handoff(Prompt):
    """The bot was not sure the user wants a person: it asked, a yes opens the case."""

    kind: ClassVar[str] = "handoff"
    text: str = ""

    def parse(self, r: Reading) -> Route | None:
        if r.key in WANT_PERSON or r.choice_of(r.text) == "human":
            return Route("human.open", {"text": self.text})
        if r.key in NO_PERSON or r.choice_of(r.text) == "no_thanks":
            return Route("human.declined")
        return None


@dataclass(frozen=True)
class WhichProgram(Prompt):
    kind: ClassVar[str] = "which_program"
    options: tuple[str, ...]  # program ids, offered numbered
    aspect: str = "overview"

    def parse(self, r: Reading) -> Route | None:
        from nlp.cues import aspect

        picked = _number(r.key, len(self.options))
        program = self.options[picked] if picked is not None else r.program_named(r.text)
        asked = aspect(r.text) or self.aspect  # "ยกระดับงานหัตถกรรมไทยปิดรับเมื่อไหร่" asks its own detail
        return Route("program.detail", {"program": program, "aspect": asked}) if program else None


@dataclass(frozen=True)
class FaqChoice(Prompt):
    kind: ClassVar[str] = "faq_choice"
    options: tuple[str, ...]  # FAQ entry ids, offered numbered (their labels are exact rules too)

    def parse(self, r: Reading) -> Route | None:
        n = _number(r.key, len(self.options))
        return None if n is None else Route("faq.answer", {"id": self.options[n]})


@dataclass(frozen=True)
class CancelForm(Prompt):
    """ "ยกเลิก" in the form: pause (keep the draft) or discard."""

    kind: ClassVar[str] = "cancel_form"

    def parse(self, r: Reading) -> Route | None:
        choice = r.choice_of(r.text)
        if r.key in PAUSE or choice == "pause":
            return Route("form.pause")
        return Route("form.discard") if r.key in DISCARD or choice == "discard" else None


@dataclass(frozen=True)
class Form(Prompt):
    """The registration form's current question (a field, the summary, the edit list, resume)."""

    kind: ClassVar[str] = "form"
    step: str
    editing: bool = False

    def parse(self, r: Reading) -> Route | None:
        return form.read_answer(self.step, r, self.editing)

    def reoffer(self) -> Route | None:
        return Route("form.reoffer")


def kinds() -> dict[str, type[Prompt]]:  # here and in domain/announce.py
    return {c.kind: c for c in Prompt.__subclasses__()}


def dump(p: Prompt) -> dict[str, Any]:
    d = asdict(p)  # type: ignore[call-overload]
    if isinstance(p, Consent):
        d["then"] = p.then.to_json()
    return {"kind": p.kind, **{k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}}


def load(d: dict[str, Any]) -> Prompt | None:
    d = dict(d)
    cls = kinds().get(str(d.pop("kind", "")))
    if cls is None:
        return None  # a kind this version does not know: drop the question, keep the rest
    if cls is Consent:
        d["then"] = Route.from_json(d.get("then") or "register.start")
    if cls is Confirm and "action" not in d:
        d["action"] = "erase"
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items()})


def _number(key: str, n: int) -> int | None:
    return int(key) - 1 if key.isdigit() and 1 <= int(key) <= n else None
