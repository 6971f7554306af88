"""Daily counts of the conversation for the dashboard (the Prometheus metrics keep no history).

One hash per Bangkok day, `dip:daily:{yyyy-mm-dd}`: `messages`, `i:<intent>` (what the message
was routed to first), `fallback`, `clarify`, `unknown` (no FAQ answer) and `handoff` (a case
opened). The dispatcher counts each processed message event once (bot/dispatcher.py), after its
turn ran and before anything is saved or sent:

- on Redis in one round trip: a script sets the event's mark `dip:daily-seen:{event_id}` (SET NX,
  2 days, as long as an event can be run again) and only if it was not there adds the counts, so a
  re-run of the event (`tries` > 1, the worker died half-way) never counts it twice;
- on the memory store (embedded mode, one process) with the store's counters and a bounded
  in-process memory of the events counted.

Kept 400 days (a fiscal year and a bit, for the same weeks a year ago). Counts only: no user, no
text. Staff commands, the console simulator's sandbox users, follow/unfollow and events the bot
does not answer are not counted.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any

from bot.effects import sandboxed
from domain.clock import BANGKOK
from domain.kpi import TRACKS

log = logging.getLogger(__name__)
KEEP_SECONDS = 400 * 86_400
SEEN_SECONDS = 2 * 86_400  # dip:tries lives as long (bot/events/consumer.py): no re-run after that
MESSAGES = ("text", "postback", "sticker", "media", "location")
FLAGS = {"fallback": "fallback", "clarify": "clarify", "faq.unknown": "unknown"}  # route run -> counter
REMEMBER = 50_000  # events the memory store's process keeps in mind (far more than can run again)
# KEYS[1] the day's hash, KEYS[2] the event's mark; ARGV[1] the hash's TTL, ARGV[2] the mark's, then
# field, increment pairs. 1: counted; 0: this event was counted before.
COUNT = """if not redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[2]) then return 0 end
for i = 3, #ARGV, 2 do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1"""


def day_key(day: date) -> str:
    return f"dip:daily:{day.isoformat()}"


def intent_of(route: Any) -> str:
    """The name a message is counted under: the intent (a program by its track), else the family of
    the route (`faq.answer` -> faq, `form.answer` -> form, `human.ask` -> human)."""
    if route.name == "program.track" and route.args.get("track") in TRACKS:
        return f"program_{route.args['track']}"
    return str(route.name).split(".", 1)[0]


def tally(inc: Any, routes: list[Any], ran: list[str], before: Any, after: Any, now: datetime) -> dict[str, int]:
    """What one event adds to its day ({}: not a message people sent the bot)."""
    if inc.kind not in MESSAGES or not routes or str(routes[0].name).startswith("staff.") or sandboxed(inc.chat_id):
        return {}
    counts = {"messages": 1, f"i:{intent_of(routes[0])}": 1}
    counts.update({field: 1 for name, field in FLAGS.items() if name in ran})
    opened = after.handoff
    if opened is not None and opened.active(now) and (before.handoff is None or before.handoff.case != opened.case):
        counts["handoff"] = 1
    return counts


class Daily:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.r = getattr(store, "r", None)
        self._count = self.r.register_script(COUNT) if self.r is not None else None
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()  # the embedded worker's threads share this dispatcher

    def count(self, inc: Any, routed: Any, out: Any, before: Any, now: datetime) -> bool:
        """The event's counts added to its Bangkok day, once. Never stops the answer: a failure is
        logged and the event goes uncounted."""
        try:
            fields = tally(inc, list(routed.routes), list(out.ran), before, out.state, now)
            return bool(fields) and self.add(inc.event_id, now.astimezone(BANGKOK).date(), fields)
        except Exception:
            log.exception("daily counts: event %s not counted", inc.event_id)
            return False

    def add(self, event_id: str, day: date, fields: dict[str, int]) -> bool:
        if self._count is not None:
            args = [KEEP_SECONDS, SEEN_SECONDS, *chain.from_iterable(fields.items())]
            return bool(self._count(keys=[day_key(day), f"dip:daily-seen:{event_id}"], args=args))
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen[event_id] = None
            while len(self._seen) > REMEMBER:
                self._seen.popitem(last=False)
        for field, n in fields.items():
            self.store.count_add(day_key(day), field, n)
        return True

    def days(self, first: date, last: date) -> dict[date, dict[str, int]]:
        """Each day's counts from `first` to `last` (one round trip on Redis)."""
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        if self.r is None:
            return {d: self.store.counts(day_key(d)) for d in days}
        pipe = self.r.pipeline(transaction=False)
        for d in days:
            pipe.hgetall(day_key(d))
        return {d: {_s(k): int(v) for k, v in raw.items()} for d, raw in zip(days, pipe.execute(), strict=True)}


def _s(v: bytes | str) -> str:
    return v.decode() if isinstance(v, bytes) else v
