"""The conversation state of one chat: a versioned, immutable value stored as JSON.

v2 (this version) holds the active prompt, the form's position, the handoff and the topic of
the last turns. v1 (a loose dict: prompt, form, handoff) is read and upgraded on first use, so
nobody in the middle of a form, a handoff or a consent prompt loses it when v2 ships.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from domain import prompts
from domain.prompts import Prompt

VERSION = 2
TOPIC_MINUTES = 30
HEARD_HOURS = 48  # a reply within this time of a program broadcast is about that program


@dataclass(frozen=True)
class Topic:
    """What the last turns were about, so a follow-up ("ปิดรับเมื่อไหร่") has a subject."""

    at: str
    track: str | None = None
    programs: tuple[str, ...] = ()  # ids shown, in the order shown
    program: str | None = None  # the one in focus
    province: str | None = None
    center: str | None = None

    def fresh(self, now: datetime) -> bool:
        return datetime.fromisoformat(self.at) > now - timedelta(minutes=TOPIC_MINUTES)


@dataclass(frozen=True)
class FormPos:
    step: str  # a field of domain.form.FIELDS, "confirm", "edit" or "resume"
    at: str
    editing: bool = False
    program: str | None = None  # the program the registration is for, when one was named


@dataclass(frozen=True)
class Handoff:
    """A person has the chat: the bot stays quiet until `until` (24 h; a staff reply from the
    console renews it). The case itself stays open until staff resolve it (dip:cases-open)."""

    case: str
    until: str

    def active(self, now: datetime) -> bool:
        return self.until > now.isoformat()


@dataclass(frozen=True)
class ConversationState:
    prompt: Prompt | None = None
    form: FormPos | None = None
    handoff: Handoff | None = None
    topic: Topic | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # fields of a newer version, kept as they are

    def with_(self, **changes: Any) -> ConversationState:
        return replace(self, **changes)

    def topic_now(self, now: datetime) -> Topic | None:
        return self.topic if self.topic and self.topic.fresh(now) else None

    def hearing(self, heard: dict[str, Any] | None, now: datetime) -> ConversationState:
        """A program broadcast received after the last topic was set (and within HEARD_HOURS)
        makes that program the topic: "ต้องใช้เอกสารอะไร" in reply to it is about it."""
        if not heard or not heard.get("program"):
            return self
        at = datetime.fromisoformat(heard["at"])
        if at < now - timedelta(hours=HEARD_HOURS) or (self.topic and datetime.fromisoformat(self.topic.at) >= at):
            return self
        return self.with_(topic=Topic(at=now.isoformat(), programs=(heard["program"],), program=heard["program"]))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self.extra, "v": VERSION}
        if self.prompt is not None:
            out["prompt"] = prompts.dump(self.prompt)
        if self.form is not None:
            out["form"] = _plain(self.form)
        if self.handoff is not None:
            out["handoff"] = _plain(self.handoff)
        if self.topic is not None:
            out["topic"] = {**_plain(self.topic), "programs": list(self.topic.programs)}
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any] | None) -> ConversationState:
        d = dict(d or {})
        if d.get("v", 1) == 1:
            d = upgrade_v1(d)
        known = {"v", "prompt", "form", "handoff", "topic"}
        topic = d.get("topic")
        return cls(
            prompt=prompts.load(d["prompt"]) if d.get("prompt") else None,
            form=FormPos(**d["form"]) if d.get("form") else None,
            handoff=Handoff(**d["handoff"]) if d.get("handoff") else None,
            topic=Topic(**{**topic, "programs": tuple(topic.get("programs") or ())}) if topic else None,
            extra={k: v for k, v in d.items() if k not in known},
        )


def _plain(obj: Any) -> dict[str, Any]:
    return {k: v for k, v in obj.__dict__.items() if v is not None and v != () and v is not False}


V1_CONSENT_THEN = {"register": "register.start", "mentor": "mentor.request", "volunteer": "mentor.volunteer"}


def upgrade_v1(d: dict[str, Any]) -> dict[str, Any]:
    """v1: {"v": 1, "prompt": {"kind", ...}, "form": {"step", "at", "editing"}, "handoff": {...}}."""
    out: dict[str, Any] = {"v": VERSION}
    old = d.get("prompt") or {}
    kind = old.get("kind")
    if kind == "consent":
        then = V1_CONSENT_THEN.get(str(old.get("then", "register")), "register.start")
        out["prompt"] = {"kind": "consent", "then": {"name": then, "args": {}}}
    elif kind == "clarify":
        out["prompt"] = {"kind": "clarify", "options": list(old.get("options") or []), "text": old.get("text", "")}
    elif kind in ("erase", "withdraw"):
        out["prompt"] = {"kind": "confirm", "action": kind}
    elif kind in ("menu", "province"):
        out["prompt"] = {"kind": kind}
    form = d.get("form")
    if form and form.get("step"):
        out["form"] = {"step": form["step"], "at": form.get("at") or "1970-01-01T00:00:00+07:00"}
        if form.get("editing"):
            out["form"]["editing"] = True
        out.setdefault("prompt", {"kind": "form", "step": form["step"], "editing": bool(form.get("editing"))})
    if d.get("handoff"):
        out["handoff"] = {"case": d["handoff"]["case"], "until": d["handoff"]["until"]}
    return out
