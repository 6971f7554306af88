"""Deadline reminders: one broadcast per program window to the people who showed interest in the
program (tapped "สนใจสมัคร" on its card, or started a registration naming it) and have not applied,
REMINDER_DAYS days or fewer before the window closes.

Who: the segment {"program": [id]} (consent current, following, not opted out; segments.py)
minus everyone with a registration naming the program (`dip:leads:<uh>`). The broadcast process's
sweeper runs the check at most once an hour (`dip:reminders-run:<hour>`, SET NX, any process);
inside the quiet hours it sends nothing, so the first run after them does. `dip:reminded:<program>:
<closes>` is claimed (SET NX) before the broadcast is created, so each window's reminder goes once;
staff switch a program's reminders off in `dip:reminders-off` (GET/POST /api/reminders, `python -m
bot broadcast reminders`). With BROADCAST_DAILY_CAP set, a user who already got that many
broadcasts this Bangkok day (`dip:capday:<uh>`, a hash by day) is skipped, counted `capped` in the record.
"""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from bot.broadcast.cap import under_cap
from bot.broadcast.records import Broadcasts
from bot.broadcast.segments import Segments
from bot.store.base import DAY
from domain.clock import BANGKOK

log = logging.getLogger(__name__)
OFF = "dip:reminders-off"
MARK_TTL, RUN_TTL, CHUNK = 90 * DAY, 7200, 1000


def mark_key(program: str, closes: date) -> str:
    return f"dip:reminded:{program}:{closes.isoformat()}"


def run_key(now: datetime) -> str:
    return f"dip:reminders-run:{now.astimezone(BANGKOK):%Y-%m-%dT%H}"


def hourly(r: Any, queue: str = "broadcasts", settings: Any = None, now: datetime | None = None) -> list[Any] | None:
    """The sweeper's call: the check, unless some process already ran it this hour (None)."""
    from bot.broadcast import runner

    settings = settings or runner._ctx.get("settings")
    now = now or datetime.now(BANGKOK)
    if settings is None or not r.set(run_key(now), "1", nx=True, ex=RUN_TTL):
        return None
    return Reminders(settings, r, now=now).run(queue)


class Reminders:
    def __init__(self, settings: Any, r: Any, cat: Any = None, now: datetime | None = None, api: Any = None) -> None:
        from bot.broadcast import compose

        self.settings, self.r, self.cat, self._api = settings, r, cat or compose.catalog(), api
        self.now = (now or datetime.now(BANGKOK)).astimezone(BANGKOK)
        self.today, self.days = self.now.date(), int(getattr(settings, "REMINDER_DAYS", 7))
        self.segments = Segments(SimpleNamespace(r=r))

    def off(self) -> set[str]:
        return {_s(p) for p in self.r.smembers(OFF)}

    def switch(self, program: str, enabled: bool) -> dict[str, Any]:
        """Reminders for `program` on or off (for every window, until switched back); its row."""
        if enabled:
            self.r.srem(OFF, program)
        else:
            self.r.sadd(OFF, program)
        return next(row for row in self.rows() if row["program"] == program)

    def recipients(self, program: str) -> list[str]:
        """HMAC keys of the active, consenting users interested in `program` who have not applied."""
        members, out = self.segments.members({"program": [program]}), []
        for n in range(0, len(members), CHUNK):
            chunk = members[n : n + CHUNK]
            pipe = self.r.pipeline(transaction=False)
            for uh in chunk:
                pipe.lrange(f"dip:leads:{uh}", 0, -1)
            for uh, leads in zip(chunk, pipe.execute(), strict=True):
                if not any(json.loads(raw).get("program") == program for raw in leads):
                    out.append(uh)
        return out

    def rows(self) -> list[dict[str, Any]]:
        """Every program: its closing date, days left, the reminder's state and who would get it.
        State: due (within REMINDER_DAYS, not sent), sent, off, waiting (later), closed, no_deadline."""
        off, out = self.off(), []
        for p in self.cat.programs:
            closes = p.window.closes
            left = (closes - self.today).days if closes else None
            sent = self.r.get(mark_key(p.id, closes)) if closes else None
            state = (
                "no_deadline" if left is None else "closed" if left < 0 else "sent" if sent
                else "off" if p.id in off else "due" if left <= self.days else "waiting"
            )  # fmt: skip
            n = len(self.recipients(p.id)) if state in ("due", "off", "waiting") else None
            out.append({"program": p.id, "name": p.name_th, "closes": closes.isoformat() if closes else None,
                        "days_left": left, "enabled": p.id not in off, "state": state,
                        "broadcast": _s(sent) if sent else None, "recipients": n})  # fmt: skip
        return out

    def due(self) -> list[Any]:
        off = self.off()
        return [
            p for p in self.cat.programs
            if p.window.closes and p.id not in off and p.window.open_on(self.today)
            and (p.window.closes - self.today).days <= self.days and not self.r.exists(mark_key(p.id, p.window.closes))
        ]  # fmt: skip

    def run(self, queue: str = "broadcasts") -> list[dict[str, Any]]:
        """Create and start the reminders due now (none inside the quiet hours); the records made.
        A program nobody is waiting for stays due: someone who shows interest later still gets one."""
        from bot.broadcast import runner
        from bot.broadcast.compose import card_for, quiet_end

        if quiet_end(self.settings, self.now) is not None:
            log.info("deadline reminders wait for the end of the quiet hours")
            return []
        bc, made = Broadcasts(self.r), []
        for p in self.due():
            uhs = self.recipients(p.id)
            if not uhs or not self._fits(len(uhs)):
                continue
            if not self.r.set(mark_key(p.id, p.window.closes), "claimed", nx=True, ex=MARK_TTL):
                continue  # another check got here first
            keep, capped = self._cap(uhs)
            rec = bc.create(self._text(p), {"program": [p.id]}, "reminder", program=p.id, card=card_for(p), cap=False)
            self.r.set(mark_key(p.id, p.window.closes), rec["id"], ex=MARK_TTL)
            runner.start(self.r, rec["id"], uhs=keep, queue=queue)
            if capped:  # after the recipients are frozen (that sets `targeted`)
                bc.inc(rec["id"], targeted=capped, skipped_by={"capped": capped})
            log.info("deadline reminder %s for %s: %d recipients, %d capped", rec["id"], p.id, len(keep), capped)
            made.append(bc.get(rec["id"]) or rec)
        return made

    def _text(self, p: Any) -> str:
        from bot.broadcast.compose import texts
        from domain.cards import day

        left = (p.window.closes - self.today).days
        t = texts()
        when = t("reminder.last_day") if left == 0 else t("reminder.days_left", days=left)
        return str(t("reminder.text", name=p.name_th, date=day(SimpleNamespace(lang="th"), p.window.closes), left=when))

    def _fits(self, needed: int) -> bool:
        """Within LINE's monthly quota (else the reminder stays due and is tried again next hour)."""
        from bot.broadcast import delivery

        limit, used = delivery.quota(self._api or delivery.make_api(self.settings))
        if limit is not None and needed > limit - used:
            log.warning("deadline reminder for %d users waits: LINE's monthly quota has %d left", needed, limit - used)
            return False
        return True

    def _cap(self, uhs: list[str]) -> tuple[list[str], int]:
        """(users under BROADCAST_DAILY_CAP, each now counted for today; how many are at it)."""
        fits = under_cap(self.r, uhs, getattr(self.settings, "BROADCAST_DAILY_CAP", None), self.today)
        keep = [uh for uh, ok in zip(uhs, fits, strict=True) if ok]
        return keep, len(uhs) - len(keep)


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
