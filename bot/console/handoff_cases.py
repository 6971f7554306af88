"""The Handoff inbox's cases (bot/console/handoffs.py has the pages): which open cases an account
sees, what of each it may see, and the two things staff do to one, a push and the handoff flag.

- What staff see follows the consent rules (domain/privacy.py, as "ข้อมูลของฉัน" reads them): with
  current consent the recent message copies (`dip:msgs:<uh>`) and the profile, otherwise only
  the intent the bot detected and the time.
- A case's center is the user's: their profile's province, else their last registration's
  center; with none known, the case is for admins (Account.sees).
- A push follows facts/LINE.md: one text (at most 5,000 UTF-16 units, checked by the form) with an
  X-Line-Retry-Key derived from the case and what is sent, so sending the same thing again is
  accepted once (LINE answers 409); nothing to a user who blocked the account (LINE would take it
  and deliver nothing); the monthly quota stops it. The web process waits at most PUSH_SECONDS.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask import abort

from bot.console.base import guard, lang, me, runtime, t
from bot.console.dashboard import runtime_catalog
from bot.console.leads_rows import FIELDS  # the form's fields, without loading domain.form (NLU)
from bot.ids import user_key
from bot.messenger import DeliveryFailed, QuotaExceeded
from bot.messenger.render import to_line
from bot.privacy import consent_status, load_notice
from domain.clock import BANGKOK, SystemClock, thai_date
from domain.replies import Text

if TYPE_CHECKING:
    from domain.state import Handoff

log = logging.getLogger(__name__)
CASE_ID = re.compile(r"C[0-9A-Z]{6,20}")
RECENT = 20  # message copies shown on a case page
PUSH_SECONDS = 20.0  # the longest a staff member waits for LINE (the worker's pushes wait longer)
KEYS = uuid.UUID("0c6f3d52-8a4b-4e0f-b1f7-5d2e9a7c4b18")  # namespace of the console's push retry keys
WORDED = {"track": "track", "stage": "handoffs.stage"}  # profile values shown in words


def bot_part(name: str, build: Callable[[], Any]) -> Any:
    """The bot's own clock, notice, texts or messenger when it runs in this process (embedded
    mode, tests); otherwise one built once for this web process."""
    ext = runtime()
    if ext.dispatcher is not None:
        return getattr(ext.dispatcher.d, name)
    if not hasattr(ext, f"console_{name}"):
        setattr(ext, f"console_{name}", build())
    return getattr(ext, f"console_{name}")


def _messenger() -> Any:
    from bot.app import make_messenger

    sender = make_messenger(runtime().settings, runtime().metrics)
    if hasattr(sender, "push_seconds"):
        sender.push_seconds = min(sender.push_seconds, PUSH_SECONDS)
    return sender


def now() -> datetime:
    return bot_part("clock", SystemClock).now()  # type: ignore[no-any-return,unused-ignore]


def when(iso: str) -> str:
    at = datetime.fromisoformat(iso).astimezone(BANGKOK)
    return thai_date(at, with_time=True) if lang() == "th" else at.strftime("%d %b %Y %H:%M")


def waited(since: str) -> str:
    m = max(0, int((now() - datetime.fromisoformat(since)).total_seconds() // 60))
    h = m // 60
    if h < 1:
        return t("handoffs.minutes", n=m)
    return t("handoffs.hours", h=h, m=m % 60) if h < 48 else t("handoffs.days", d=h // 24, h=h % 24)


def word(prefix: str, value: Any) -> str:
    """The console's word for a value (an intent, a track), else the value itself."""
    text = t(f"{prefix}.{value}")
    return str(value) if text == f"{prefix}.{value}" else text


class Case:
    """An open case as the console shows it: its record, the user's center and consent."""

    def __init__(self, case_id: str, record: dict[str, Any]) -> None:
        store = runtime().store
        self.id, self.record, self.replies = case_id, record, list(record.get("replies") or [])
        self.uh = str(record.get("uh") or user_key(runtime().settings.hash_key, record["chat_id"]))
        self.profile = store.get("profile", self.uh) or {}
        home = runtime_catalog().center_of.get(self.profile.get("province") or "")
        leads = [x["center"] for x in store.items("leads", self.uh) if x.get("center")]
        self.center: str | None = home.id if home else (leads[-1] if leads else None)
        notice = bot_part("notice", load_notice)
        self.consented = bool(consent_status(store.items("consent", self.uh), notice)["current"])

    def row(self) -> dict[str, Any]:
        center = next((c for c in runtime_catalog().centers if c.id == self.center), None)
        return {"id": self.id, "opened": when(self.record["opened"]), "waited": waited(self.record["opened"]),
                "intent": word("handoffs.intent", self.record.get("intent") or "human"),
                "center": (center.short_th if lang() == "th" else center.short_en) if center else None,
                "consented": self.consented, "lang": self.record.get("lang", "th"),
                "replies": [{"by": r.get("by", ""), "at": when(r["at"])} for r in self.replies]}  # fmt: skip

    def context(self) -> dict[str, Any]:
        """Messages and profile: only with the user's current consent."""
        if not self.consented:
            return {"messages": [], "profile": []}
        msgs = runtime().store.items("msgs", self.uh)[-RECENT:]
        return {"messages": [(when(m["at"]), m.get("text", "")) for m in msgs],
                "profile": [(f, word(WORDED[f], v) if f in WORDED else v)
                            for f in FIELDS if (v := self.profile.get(f)) not in (None, "")]}  # fmt: skip


def visible() -> list[Case]:
    """The open handoff cases the signed-in account may see, oldest first."""
    cases = [Case(i, r) for i, r in runtime().store.open_cases() if r.get("kind", "handoff") == "handoff"]
    return [c for c in cases if me().sees(c.center)]


def find(case_id: str) -> Case:
    """One open handoff case; 404 when there is none or it is another center's."""
    record = runtime().store.get("case", case_id) if CASE_ID.fullmatch(case_id) else None
    if record is None or record.get("kind", "handoff") != "handoff":
        abort(404)
    case = Case(case_id, record)
    guard(case.center)
    return case


def push(case: Case, text: str, part: str) -> str | None:
    """One text to the case's user: None when LINE took it, else the problem's name. `part` names
    what is sent (a reply's ID, "resolved"): the same part always carries the same retry key."""
    if (runtime().store.get("user", case.uh) or {}).get("following") is False:
        return "blocked"
    key = str(uuid.uuid5(KEYS, f"{case.id}:{part}"))
    try:
        bot_part("messenger", _messenger).push(case.record["chat_id"], to_line([Text(text)]), key)
    except QuotaExceeded:
        log.error("handoff %s: LINE monthly limit reached, push not sent", case.id)
        return "quota"
    except DeliveryFailed:
        log.warning("handoff %s: push not accepted by LINE yet", case.id)
        return "not_delivered"
    return None


def handoff(case: Case, renewed: Handoff | None) -> None:
    """The user's handoff renewed after a reply, or cleared (None) as "กลับไปคุยกับบอท" clears it
    (ConversationState.with_); only while it is this case's."""
    from domain.state import ConversationState  # here: the web process loads no NLU at start

    store = runtime().store
    raw = store.get("state", case.uh)
    state = ConversationState.from_json(raw) if raw else None
    if state is not None and state.handoff is not None and state.handoff.case == case.id:
        store.put("state", case.uh, state.with_(handoff=renewed).to_json())
