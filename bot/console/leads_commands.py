"""Staff decisions taken in the console, run as the LINE staff commands run them: the same handler
(handlers/staff.py: confirm, contacted, close, approve, decline) decides, and the same applier
(bot/effects.py) writes its effects, so a participant confirmed here counts in the KPIs exactly
as one confirmed by typing "ยืนยันผู้เข้าร่วม R…", and the applicant gets the same LINE push.

Embedded runs use the worker's own parts (its messenger, clock, catalog). A web process in Redis
mode has no worker: it builds the few parts the applier needs once, and pushes with a messenger
that gives up after PUSH_SECONDS rather than holding a staff member's page through an outage
(the change is saved either way; the page says the applicant was not told).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.console.base import runtime
from bot.lookups import StoreLookups
from bot.messenger import DeliveryFailed, QuotaExceeded
from bot.messenger.base import retry_key
from bot.messenger.render import to_line
from domain.incoming import Incoming
from domain.replies import Text
from domain.routes import Route

log = logging.getLogger(__name__)
COMMANDS = ("staff.confirm", "staff.contacted", "staff.close", "staff.approve", "staff.decline")
PUSH_SECONDS = 20.0


@dataclass
class WebDeps:
    """What bot/effects.py and the staff handlers read, for a web process without a worker."""

    settings: Any
    store: Any
    catalog: Any
    texts: Any
    notice: Any
    clock: Any
    messenger: Any
    on_erase: Callable[[str], Any] = field(default=lambda uh: None)


@dataclass
class Done:
    said: list[str]  # what the handler answered, as staff read it on LINE
    changed: bool  # something was written (False: unknown ID, already decided)
    unsent: int = 0  # pushes LINE did not accept


def deps() -> Any:
    ext = runtime()
    if ext.dispatcher is not None:
        return ext.dispatcher.d
    if not hasattr(ext, "console_deps"):
        from bot.app import make_messenger
        from bot.console.dashboard import runtime_catalog
        from domain.clock import SystemClock
        from domain.privacy import load_notice
        from domain.texts import Texts

        messenger = make_messenger(ext.settings, ext.metrics)
        if hasattr(messenger, "push_seconds"):
            messenger.push_seconds = min(messenger.push_seconds, PUSH_SECONDS)
        ext.console_deps = WebDeps(ext.settings, ext.store, runtime_catalog(), Texts(), load_notice(), SystemClock(),
                                   messenger)  # fmt: skip
    return ext.console_deps


def _incoming() -> Incoming:
    return Incoming(kind="text", event_id=f"console-{uuid.uuid4().hex}", user_id=None, chat_id="console")


def apply(effects: list[Any]) -> None:
    """Effects the console decides alone (a note with no status change), through the same applier."""
    from bot.effects import EffectApplier

    EffectApplier(deps()).apply("console", _incoming(), {}, {}, effects)


def run(command: str, arg: str, lang: str, adjust: Callable[[Any], Any] = lambda e: e) -> Done:
    """One staff command on `arg` (a lead, case or introduction ID); `adjust` may add fields to an
    effect (a note on the status change) before it is applied."""
    from bot.effects import EffectApplier
    from domain.context import Context  # these read answers with nlp: loaded on the first decision only
    from domain.state import ConversationState
    from handlers import REGISTRY

    if command not in COMMANDS:
        raise ValueError(command)
    d = deps()
    inc = _incoming()
    route = Route(command, {"arg": arg})
    ctx = Context(incoming=inc, route=route, lang=lang, now=d.clock.now(), state=ConversationState(),
                  catalog=d.catalog, t=d.texts, notice=d.notice, ents=None, entities=None,
                  lookups=StoreLookups(d.store, "console", d.settings, d.catalog),
                  staff=d.settings.staff_ids)  # fmt: skip
    result = REGISTRY[command](ctx)
    effects = [adjust(e) for e in result.effects]
    applied = EffectApplier(d).apply("console", inc, {}, {}, effects)
    unsent = 0
    for n, push in enumerate(applied.pushes, 100):
        try:
            d.messenger.push(push.to, to_line(list(push.messages), push.choices), retry_key(inc.event_id, n))
        except (DeliveryFailed, QuotaExceeded):
            log.warning("console %s %s: the push was not accepted by LINE", command, arg)
            unsent += 1
    said = [m.text for m in result.messages if isinstance(m, Text)]
    return Done(said, changed=bool(effects), unsent=unsent)
