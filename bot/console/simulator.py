"""The simulator (issue 12, point 8): staff chat with the bot in the browser as an entrepreneur
would on LINE, through the real dispatcher (router, NLU, handlers, effects).

- Each console account has its own sandbox user, `sim:<account>`: LINE's user IDs are U + 32 hex,
  so no real user can have it. bot/effects.py and bot/dispatcher.py key on that prefix and skip
  whatever would reach beyond the chat: leads (so KPIs), introductions, cases, review items,
  staff alerts and the broadcast segment index. Consent, profile and the form's draft are kept
  for the sandbox user, so a registration walks through to its confirmation; "reset" deletes
  every per-user key of it.
- Answers go to a messenger that collects them (never to LINE) and come back as chat bubbles,
  kept a day (`dip:simlog:{uh}`), so a reload shows the conversation again.
- The dispatcher: embedded mode (`make run`) shares the worker's parts (one NLU per process). In
  Redis mode the web process has none (the webhook loads no NLU), so the simulator's first visit
  builds one here in a background thread, and the page says so until it is ready.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from dataclasses import replace
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import Length

from bot.chat import local_event
from bot.console.auth import ActionForm
from bot.console.base import audit, bp, me, page, runtime, staff_only, t
from bot.effects import SANDBOX
from bot.ids import user_key
from bot.messenger import CollectingMessenger
from bot.metrics import NoMetrics
from bot.store.base import per_user_kinds

log = logging.getLogger(__name__)
KEEP = 80  # transcript entries shown and kept
SEND_WAIT_S = 60  # a send waits this long for its web process to load the classifier
PIN = {"latitude": 13.7563, "longitude": 100.5018, "address": "กรุงเทพมหานคร"}  # a "location" tap sends this
COLOR = re.compile(r"^#[0-9A-Fa-f]{3,8}$")
NOTES = {"location": "sim.location_sent", "follow": "sim.followed", "postback": "sim.tapped"}
_ENGINE = threading.Lock()


class SendForm(FlaskForm):
    """What the user does: type, tap a button (its text or its postback), share a place, follow."""

    kind = SelectField(choices=["text", "postback", "location", "follow"])
    text = StringField(validators=[Length(max=5000)])
    data = StringField(validators=[Length(max=300)])
    display = StringField(validators=[Length(max=300)])


class Engine:
    """The dispatcher's parts the simulator runs on (see the module's docstring)."""

    def __init__(self, ext: Any) -> None:
        self.ext, self.deps, self.failed, self.started = ext, None, False, False
        self._lock, self._done = threading.Lock(), threading.Event()

    def get(self, wait: float = 0) -> Any:
        """bot.dispatcher.Deps, or None while they are being built (the first call starts that);
        `wait`: seconds to wait for them (a send that reached another web process than the page)."""
        if self.ext.dispatcher is not None:
            return self.ext.dispatcher.d
        with self._lock:
            if not self.started:
                self.started = True
                threading.Thread(target=self._build, name="simulator-nlu", daemon=True).start()
        if wait:
            self._done.wait(wait)
        return self.deps

    def _build(self) -> None:
        try:  # the classifier loads in this thread; the web process answers meanwhile
            self.deps = build_dispatcher(self.ext.settings, self.ext.store, CollectingMessenger()).d
            log.info("simulator: a dispatcher is ready in this web process")
        except BaseException:  # a broken data file stops with SystemExit: shown on the page, logged
            self.failed = True
            log.exception("simulator: no dispatcher could be built")
        finally:
            self._done.set()


def build_dispatcher(settings: Any, store: Any, messenger: Any) -> Any:
    from bot.app import build_dispatcher as build  # here: the web process loads no NLU until it is used

    return build(settings, store, messenger)


def engine() -> Engine:
    ext = runtime()
    with _ENGINE:
        if not hasattr(ext, "console_simulator"):
            ext.console_simulator = Engine(ext)
    return ext.console_simulator


def sandbox() -> str:
    return f"{SANDBOX}{me().name}"


def sandbox_key(chat_id: str) -> str:
    return user_key(runtime().settings.hash_key, chat_id)


def event(chat_id: str, form: SendForm) -> dict[str, Any]:
    """A webhook event as LINE would send it for what the user did."""
    n = uuid.uuid4().hex
    ev = local_event(chat_id, "message", f"sim{n[:23]}", f"sim{n}")
    kind = form.kind.data
    if kind == "text":
        ev["message"] = {"type": "text", "id": f"sim{n[:16]}", "text": (form.text.data or "").strip()}
    elif kind == "location":
        ev["message"] = {"type": "location", "id": f"sim{n[:16]}", **PIN}
    elif kind == "postback":
        ev.update(type="postback", postback={"data": form.data.data or ""})
    else:
        ev.update(type="follow", follow={"isUnblocked": False})
    return ev


def run(deps: Any, chat_id: str, ev: dict[str, Any]) -> list[dict[str, Any]]:
    """One event through the real dispatcher, its answer collected instead of sent."""
    got = CollectingMessenger()
    from bot.dispatcher import Dispatcher

    Dispatcher(replace(deps, messenger=got, metrics=NoMetrics(), on_erase=lambda uh: None)).process(
        json.dumps(ev, ensure_ascii=False)
    )
    return [m for _, to, msgs in got.sent if to == chat_id for m in msgs]


def said(form: SendForm) -> dict[str, Any]:
    """The user's side of the chat: what was typed, a button's text, or a note for the rest."""
    kind = form.kind.data
    shown = (form.text.data or "").strip() if kind == "text" else form.display.data if kind == "postback" else ""
    return {"who": "user", "text": shown} if shown else {"who": "note", "key": NOTES[str(kind)]}


def transcript(chat_id: str) -> list[dict[str, Any]]:
    return runtime().store.items("simlog", sandbox_key(chat_id))


def keep(chat_id: str, new: list[dict[str, Any]]) -> None:
    store, uh = runtime().store, sandbox_key(chat_id)
    store.replace_items("simlog", uh, [*store.items("simlog", uh), *new][-KEEP:])


def quick_of(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The quick replies of the last answer (LINE shows only the last message's)."""
    last = entries[-1] if entries else {}
    return list((last.get("m") or {}).get("quickReply", {}).get("items", [])) if last.get("who") == "bot" else []


def hue(value: Any) -> str:
    """A Flex color for CSS, only when it is one (#rgb to #rrggbbaa)."""
    return value if isinstance(value, str) and COLOR.match(value) else ""


@bp.route("/simulator")
@staff_only
def simulator() -> Any:
    eng = engine()
    loading = eng.get() is None and not eng.failed
    entries = transcript(sandbox())
    return page("simulator.html", entries=entries, quick=quick_of(entries), loading=loading, failed=eng.failed,
                sandbox=sandbox(), hue=hue)  # fmt: skip


@bp.route("/simulator/send", methods=["POST"])
@staff_only
def simulator_send() -> Any:
    form = SendForm()
    if not form.validate_on_submit() or (form.kind.data == "text" and not (form.text.data or "").strip()):
        abort(400)
    deps = engine().get(wait=SEND_WAIT_S)  # each web process builds its own: this one may be starting
    if deps is None:  # Redis mode, first minutes: the classifier is still loading
        return page("simulator_turn.html", entries=[{"who": "note", "key": "sim.loading"}], quick=[], hue=hue), 503
    chat_id = sandbox()
    answer = run(deps, chat_id, event(chat_id, form))
    new = [said(form), *({"who": "bot", "m": m} for m in answer)]
    if not answer:
        new.append({"who": "note", "key": "sim.quiet"})
    keep(chat_id, new)
    audit("simulator.sent", chat_id, str(form.kind.data))  # what kind, never the text
    if not request.headers.get("HX-Request"):
        return redirect(url_for("console.simulator"))
    return page("simulator_turn.html", entries=new, quick=quick_of(new), hue=hue)


@bp.route("/simulator/reset", methods=["POST"])
@staff_only
def simulator_reset() -> Any:
    """The sandbox user starts afresh: every per-user key of it deleted (there is no other)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    store, chat_id = runtime().store, sandbox()
    uh = sandbox_key(chat_id)
    for kind in per_user_kinds():
        store.delete(kind, uh)  # records
        store.replace_items(kind, uh, [])  # lists
    store.delete_reviews(uh)
    audit("simulator.reset", chat_id)
    flash(t("sim.reset_done"))
    return redirect(url_for("console.simulator"))
