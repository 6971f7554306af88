"""Conversations as data files (tests/conversations/*.yml), played through the real webhook.

A file holds `theme` and `conversations`; each conversation has a `name`, optional `given`
(a walk done first and not checked: `consented`, `registered`) and `turns`. A turn does one
thing and may check what the user then sees:

  say: text             the user types this (`{name}` is filled from earlier captures)
  staff: text           the staff member types this in their own chat
  event: sticker | image | follow | unfollow | location LAT,LON | postback DATA
  wait: minutes         the clock moves on
  has: [..]             every one of these appears in what the user sees (case-insensitive)
  any: [..]             at least one appears
  none: [..]            none appears
  quick: [..]           these are among the quick-reply labels of the last message
  silent: true          the user is sent nothing
  staff_sees: [..]      every one appears in what staff were sent on this turn
  capture: {name: re}   the first group of the regex, searched in what anyone was sent; later
                        turns use it as {name} in what they say and check
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.support import line
from tests.support.harness import Bot, quick_labels, texts

DIR = Path(__file__).resolve().parents[1] / "conversations"
STAFF = line.uid(0x5AFF)
CHECKS = ("has", "any", "none", "quick", "silent", "staff_sees")
GIVEN = {
    "consented": ["ข้อมูลส่วนบุคคล"],
    "registered": [
        "สมัคร", "ยินยอม", "โรงสีข้าวทองดี", "สมชาย ใจดี", "ขอนแก่น", "ก", "โรงสีข้าว", "3", "12",
        "3", "081 234 5678", "ไม่มี", "ยืนยัน",
    ],
}  # fmt: skip


@dataclass
class Conversation:
    theme: str
    name: str
    turns: list[dict[str, Any]]
    given: list[str] = field(default_factory=list)
    source: str = ""

    @property
    def user_turns(self) -> int:
        return sum(1 for t in self.turns if "say" in t or "event" in t)


def load(directory: Path = DIR) -> list[Conversation]:
    return [c for path in sorted(directory.glob("*.yml")) for c in load_file(path)]


def load_file(path: Path) -> list[Conversation]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for c in doc["conversations"]:
        given = c.get("given") or []
        given = [given] if isinstance(given, str) else given
        out.append(Conversation(doc["theme"], c["name"], c["turns"], given, path.name))
    return out


@dataclass
class Outcome:
    turns: int = 0
    failed: list[str] = field(default_factory=list)


def play(bot: Bot, user: str, conv: Conversation, stop_at_first: bool = True) -> Outcome:
    """Play the conversation; return how many checked turns failed and why."""
    captured: dict[str, str] = {}
    result = Outcome()
    for g in conv.given:
        if g == "consented":
            bot.say(user, "สมัคร")
            bot.say(user, "ยินยอม")
            bot.say(user, "ยกเลิก")
            bot.say(user, "ทิ้งใบสมัคร")
        else:
            for says in GIVEN[g]:
                bot.say(user, says)
    bot.sent()
    for n, turn in enumerate(conv.turns, 1):
        fill = lambda s: s.format(**captured) if "{" in s else s  # noqa: E731
        if "wait" in turn:
            bot.clock.advance(minutes=float(turn["wait"]))
            continue
        if "say" in turn:
            bot.post(line.text(user, fill(str(turn["say"]))))
        elif "staff" in turn:
            bot.post(line.text(STAFF, fill(str(turn["staff"]))))
        elif "event" in turn:
            bot.post(_event(user, str(turn["event"])))
        bot.queue.run()
        sent = bot.sent()
        to_user = [m for api, target, msgs in sent if target == user for m in msgs]
        to_staff = [m for api, target, msgs in sent if target == STAFF and api == "push" for m in msgs]
        seen, staff_seen = texts(to_user), texts(to_staff)
        for name, pattern in (turn.get("capture") or {}).items():
            if m := re.search(pattern, seen + "\n" + staff_seen):
                captured[name] = m.group(1)
        quick = quick_labels(to_user)
        actions = [i["action"] for i in (to_user[-1].get("quickReply") or {}).get("items", [])] if to_user else []
        if not any(k in turn for k in CHECKS):
            problem = readable(actions)
            if problem:
                result.failed.append(f"turn {n}: {problem}")
            continue
        result.turns += 1
        lists = ("has", "any", "none", "staff_sees")
        filled = {k: [fill(str(x)) for x in v] if k in lists else v for k, v in turn.items()}
        problem = readable(actions) or check(filled, seen, quick, staff_seen, bool(to_user))
        if problem:
            what = turn.get("say") or turn.get("staff") or turn.get("event")
            result.failed.append(f"turn {n} ({what!r}): {problem}\n--- the user saw:\n{seen}\n---")
            if stop_at_first:
                break
    return result


def readable(actions: list[dict[str, Any]]) -> str | None:
    """Quick replies a phone shows whole: not cut at 20 characters, not numbered, no repeats."""
    labels = [a.get("label", "") for a in actions]
    if len(set(labels)) != len(labels):
        return f"repeated quick replies {labels}"
    cut = [
        a["label"]
        for a in actions
        if a.get("text", a["label"]) != a["label"] and a.get("text", "").startswith(a["label"])
    ]
    numbered = [x for x in labels if re.match(r"^\d+[ .)]", x)]
    return f"quick replies cut {cut} or numbered {numbered}" if cut or numbered else None


def check(turn: dict[str, Any], seen: str, quick: list[str], staff_seen: str, anything: bool) -> str | None:
    low = seen.lower()
    if turn.get("silent") and anything:
        return "expected silence"
    if turn.get("silent") is False and not anything:
        return "expected an answer"
    missing = [s for s in turn.get("has") or [] if str(s).lower() not in low]
    if missing:
        return f"missing {missing}"
    if turn.get("any") and not any(str(s).lower() in low for s in turn["any"]):
        return f"none of {turn['any']}"
    present = [s for s in turn.get("none") or [] if str(s).lower() in low]
    if present:
        return f"should not contain {present}"
    absent = [q for q in turn.get("quick") or [] if q not in quick]
    if absent:
        return f"quick replies {quick} lack {absent}"
    lacking = [s for s in turn.get("staff_sees") or [] if str(s).lower() not in staff_seen.lower()]
    if lacking:
        return f"staff did not see {lacking}"
    return None


def _event(user: str, spec: str) -> dict[str, Any]:
    kind, _, arg = spec.partition(" ")
    if kind == "sticker":
        return line.event("message", user, message={"type": "sticker", "id": "1", "packageId": "446", "stickerId": "1"})
    if kind == "image":
        return line.event("message", user, message={"type": "image", "id": "2"})
    if kind == "location":
        lat, lon = (float(x) for x in arg.split(","))
        return line.event("message", user, message={"type": "location", "id": "3", "latitude": lat, "longitude": lon})
    if kind == "follow":
        return line.event("follow", user, follow={"isUnblocked": False})
    if kind == "unfollow":
        return line.event("unfollow", user)
    if kind == "postback":  # a card's button: "postback a=detail&p=agro-food-processing"
        return line.event("postback", user, postback={"data": arg})
    raise ValueError(f"unknown event {spec!r}")
