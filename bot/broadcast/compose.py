"""Composing a broadcast, the same for the API, staff on LINE and the CLI: validate the text,
segment, program card and time; preview the recipients and the messages it uses against LINE's
quota; create it (awaiting another staff member's approval when BROADCAST_APPROVAL is on) and
start or schedule its delivery (after the quiet hours, BROADCAST_QUIET_HOURS, when it would
fall inside them); approve, cancel, and send a test to one staff member."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from domain.clock import BANGKOK


class Problem(ValueError):
    def __init__(self, field: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.field, self.extra = field, extra


@dataclass
class Draft:
    text: str
    segment: dict[str, list[str]]
    program: str | None = None
    card: dict[str, Any] | None = None
    at: datetime | None = None
    count: int = 0
    per: int = 1  # messages per recipient, as LINE counts them (one per request per recipient)
    extra: dict[str, Any] = field(default_factory=dict)


@functools.cache
def catalog() -> Any:
    from domain.catalog import Catalog

    return Catalog()


@functools.cache
def texts() -> Any:
    from domain.texts import Texts

    return Texts()


def parse_time(value: Any, now: datetime) -> datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise Problem("schedule_at", "an ISO 8601 time, e.g. 2026-12-01T09:00:00+07:00")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Problem("schedule_at", "an ISO 8601 time, e.g. 2026-12-01T09:00:00+07:00") from None
    at = at if at.tzinfo else at.replace(tzinfo=BANGKOK)  # a time without zone is Bangkok time
    if at < now - timedelta(minutes=1):
        raise Problem("schedule_at", "in the past")
    return at


def quiet_end(settings: Any, at: datetime) -> datetime | None:
    """When `at` (Bangkok) falls in BROADCAST_QUIET_HOURS ("21:00-08:00"), the end of them."""
    spec = getattr(settings, "BROADCAST_QUIET_HOURS", None)
    if not spec:
        return None
    start_s, end_s = spec.split("-")
    start, end = time.fromisoformat(start_s.strip()), time.fromisoformat(end_s.strip())
    local = at.astimezone(BANGKOK)
    t = local.time()
    inside = (start <= t or t < end) if start > end else (start <= t < end)
    if not inside:
        return None
    day = local.date() if t < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=BANGKOK)


def card_for(program: Any) -> dict[str, Any]:
    """The program's card as LINE sends it (its buttons start the registration for it)."""
    from domain.cards import bubble

    cat, t = catalog(), texts()
    ctx = SimpleNamespace(lang="th", catalog=cat, say=lambda k, **kw: t(k, "th", **kw), name=lambda x: x.name_th)
    return {"type": "flex", "altText": program.name_th[:400], "contents": bubble(ctx, program)}


class Desk:
    def __init__(self, settings: Any, r: Any, cat: Any = None, api: Any = None, now: datetime | None = None) -> None:
        from bot.broadcast.records import Broadcasts
        from bot.broadcast.segments import Segments

        self.settings, self.r, self.cat = settings, r, cat or catalog()
        self.broadcasts = Broadcasts(r)
        self.segments = Segments(SimpleNamespace(r=r))
        self._api, self.now = api, now

    def api(self) -> Any:
        if self._api is None:
            from bot.broadcast.delivery import make_api

            self._api = make_api(self.settings)
        return self._api

    def clock(self) -> datetime:
        return self.now or datetime.now(BANGKOK)

    def draft(self, text: Any, segment: Any, program: Any, at: Any, count: bool = True) -> Draft:
        from bot.broadcast.delivery import text_room
        from bot.broadcast.segments import SegmentError, parse_segment

        footer = texts()("broadcast.footer", "th")
        if not isinstance(text, str) or not text.strip():
            raise Problem("text", "the announcement's text is required")
        if len(text.encode("utf-16-le")) // 2 > text_room(footer):
            raise Problem("text", f"at most {text_room(footer)} characters (LINE counts UTF-16 units)")
        try:
            seg = parse_segment(segment if segment is not None else {}, self.cat)
        except SegmentError as e:
            raise Problem(f"segment.{e.field}", str(e)) from None
        card = None
        if program not in (None, ""):
            p = self.cat.program(program) if isinstance(program, str) else None
            if p is None:
                raise Problem("program", "a program id from config/programs.yml")
            card = card_for(p)
        d = Draft(text.strip(), seg, program or None, card, parse_time(at, self.clock()))
        d.per = 2 if card else 1
        if count:
            d.count = self.segments.count(seg)
        return d

    def quota(self) -> tuple[int | None, int]:
        from bot.broadcast.delivery import quota

        return quota(self.api())

    def preview(self, segment: Any, program: Any = None) -> dict[str, Any]:
        d = self.draft("-", segment, program, None)
        limit, used = self.quota()
        left = None if limit is None else max(0, limit - used)
        return {"recipients": d.count, "messages": d.count, "message_objects": d.count * d.per,
                "quota": {"limit": limit, "used": used, "left": left},
                "fits": left is None or d.count <= left}  # fmt: skip

    def submit(self, d: Draft, by: str) -> dict[str, Any]:
        limit, used = self.quota()
        left = None if limit is None else max(0, limit - used)
        if left is not None and d.count > left:
            raise Problem("quota", "this broadcast would exceed LINE's monthly quota", needed=d.count, left=left)
        approval = bool(getattr(self.settings, "BROADCAST_APPROVAL", False))
        at = d.at
        end = quiet_end(self.settings, at or self.clock())
        at = end or at  # nothing goes out in the quiet hours: it waits for their end
        rec = self.broadcasts.create(
            d.text, d.segment, by, program=d.program, card=d.card,
            schedule_at=at.isoformat() if at else None, status="awaiting_approval" if approval else "scheduled",
        )  # fmt: skip
        return rec if approval else self._go(rec)

    def _go(self, rec: dict[str, Any]) -> dict[str, Any]:
        from bot.broadcast import runner

        queue = getattr(self.settings, "BROADCAST_QUEUE", "broadcasts")
        at = datetime.fromisoformat(rec["schedule_at"]) if rec.get("schedule_at") else None
        if at is not None and at > self.clock():
            runner.schedule(self.r, rec["id"], at, queue=queue)
        else:
            runner.start(self.r, rec["id"], queue=queue)
        return self.broadcasts.get(rec["id"]) or rec

    def approve(self, bid: str, by: str) -> dict[str, Any]:
        rec = self.broadcasts.get(bid)
        if rec is None:
            raise Problem("not_found", "no such broadcast")
        if rec["status"] != "awaiting_approval":
            raise Problem("status", f"it is {rec['status']}, not awaiting approval")
        if by == rec.get("created_by"):
            raise Problem("same_person", "another staff member must approve it")
        changed = self.broadcasts.change(
            bid, lambda x: {**x, "status": "scheduled", "approved_by": by} if x["status"] == rec["status"] else None
        )
        if changed is None:
            raise Problem("status", "it changed meanwhile")
        return self._go(self.broadcasts.get(bid) or rec)

    def cancel(self, bid: str) -> dict[str, Any]:
        rec = self.broadcasts.get(bid)
        if rec is None:
            raise Problem("not_found", "no such broadcast")
        live = ("awaiting_approval", "scheduled", "sending")
        done = self.broadcasts.update_status(bid, "cancelled", expect=live)
        if done is None:
            raise Problem("status", f"it is {rec['status']}: too late to cancel")
        return self.broadcasts.get(bid) or rec

    def test(self, d: Draft, to: str) -> None:
        """The message as recipients will see it, pushed to one staff member only."""
        import uuid

        from bot.app import make_messenger
        from bot.broadcast.delivery import messages

        footer = texts()("broadcast.footer", "th")
        body = messages({"text": d.text, "card": d.card}, footer)
        make_messenger(self.settings).push(to, body, str(uuid.uuid4()))
