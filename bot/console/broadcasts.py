"""The Broadcasts page (issue 12, point 6): a composer over the API's own Desk
(bot/broadcast/compose.py: its validation, quota check, approval, quiet hours and scheduling),
a live recipient count, the message drawn as recipients will see it, the history with each
delivery report, cancel and approve, and the deadline reminders' switches (the store behind
/api/reminders).

Center staff broadcast to their own center only: `center` is forced to it whatever the form
says, and they see, cancel and approve only broadcasts limited to it; switching a program's
reminders (sent nationwide) is for admins. The console account is the staff member: it is the
creator, and an approver must be another account. Broadcasts need Redis: in embedded mode the
page says so and offers no form. Every send, cancel, approve and switch goes to the audit log.
"""

from __future__ import annotations

import functools
import json
from datetime import datetime
from typing import Any

import yaml
from flask import abort, flash, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from bot.broadcast import compose
from bot.broadcast.delivery import messages, text_room
from bot.broadcast.records import REASONS
from bot.broadcast.reminders import Reminders
from bot.broadcast.report import registrations
from bot.broadcast.segments import CHOICES, FIELDS
from bot.console.base import WORDS, admin_only, audit, bp, guard, lang, me, page, runtime, scope, staff_only, t
from domain.clock import BANGKOK, thai_date
from domain.config_files import CONFIG_DIR

HISTORY = 50
LIVE = ("awaiting_approval", "scheduled", "sending")
TYPED = ("cohort",)  # typed as text, several separated by commas; the other fields are picked


def redis() -> Any:
    return getattr(runtime().store, "r", None)


def desk() -> compose.Desk:
    rt = runtime()
    return compose.Desk(rt.settings, rt.store.r, compose.catalog())


def footer() -> str:
    return str(compose.texts()("broadcast.footer", "th"))


@functools.cache
def sectors() -> list[tuple[str, str]]:
    """(tag, the tag with its first keyword) from config/sectors.yml: ("rice", "rice (โรงสี)")."""
    found = yaml.safe_load((CONFIG_DIR / "sectors.yml").read_text(encoding="utf-8"))["sectors"]
    return [(tag, f"{tag} ({found[tag]['keywords'][0]})") for tag in sorted(found)]


def segment_of(form: Any) -> dict[str, list[str]]:
    """The segment the form describes ({} = every subscriber), limited to one's own center."""
    seg: dict[str, list[str]] = {}
    for f in FIELDS:
        raw = str(form.get(f) or "").split(",") if f in TYPED else form.getlist(f)
        if values := [v.strip() for v in raw if v.strip()]:
            seg[f] = values
    if (mine := scope()) is not None:
        seg["center"] = [mine]
    return seg


def center_of(rec: dict[str, Any]) -> str | None:
    """The one center a broadcast is limited to (None: several or all)."""
    centers = (rec.get("segment") or {}).get("center") or []
    return str(centers[0]) if len(centers) == 1 else None


def problem(p: compose.Problem) -> str:
    """Desk's refusal in the console's words."""
    kind, _, field = p.field.partition(".")
    values = {"field": t(f"bc.f.{field}"), "room": f"{text_room(footer()):,}",
              "needed": f"{p.extra.get('needed', 0):,}", "left": f"{p.extra.get('left', 0):,}"}  # fmt: skip
    return t(f"bc.err.{kind}", **values) if f"bc.err.{kind}" in WORDS["th"] else str(p)


def look(form: Any) -> dict[str, Any]:
    """The preview: recipients and quota (Desk.preview), and the message as LINE will show it."""
    seg, card = segment_of(form), str(form.get("card") or "") or None
    program = compose.catalog().program(card) if card else None
    out: dict[str, Any] = {"segment": seg, "card": None}
    if program is not None:  # the card's face: its title, summary and buttons
        say = compose.texts()
        out["card"] = {"title": program.name_th, "summary": program.summary_th,
                       "buttons": [say("program.interested", "th"), say("program.details", "th")]}  # fmt: skip
    out["bubble"] = messages({"text": str(form.get("text") or "").strip() or "…", "card": None}, footer())[-1]["text"]
    try:
        out["count"] = desk().preview(seg, card)
    except compose.Problem as p:
        out["error"] = problem(p)
    if "count" in out and out["count"]["quota"]["left"] is not None:
        out["after"] = out["count"]["quota"]["left"] - out["count"]["recipients"]
    return out


def when(iso: str | None) -> str:
    if not iso:
        return ""
    at, th = datetime.fromisoformat(iso), lang() == "th"
    if len(iso) == 10:  # a date (a program's closing day)
        return thai_date(at) if th else at.strftime("%-d %b %Y")
    at = (at if at.tzinfo else at.replace(tzinfo=BANGKOK)).astimezone(BANGKOK)
    return thai_date(at, with_time=True) if th else at.strftime("%-d %b %Y %H:%M")


def history() -> list[dict[str, Any]]:
    """The latest broadcasts one may see, newest first, with registrations_7d for program ones."""
    r, mine = redis(), scope()
    rows = [x for x in desk().broadcasts.list(4 * HISTORY) if mine is None or center_of(x) == mine][:HISTORY]
    return [{**x, "registrations_7d": registrations(r, x["id"]) if x.get("program") else None} for x in rows]


def reminders() -> Reminders:
    rt = runtime()
    now = rt.dispatcher.d.clock.now() if rt.dispatcher is not None else None  # as /api/reminders
    return Reminders(rt.settings, rt.store.r, compose.catalog(), now=now)


def choices() -> dict[str, Any]:
    cat, mine, en = compose.catalog(), scope(), lang() == "en"
    provinces = cat.center_by_id[mine].provinces if mine in cat.center_by_id else [p.name_th for p in cat.provinces]
    return {"track": CHOICES["track"], "status": CHOICES["status"], "province": provinces, "sector": sectors(),
            "center": [(c.id, c.short_en if en else c.short_th) for c in cat.centers],
            "program": [(p.id, p.name_en if en else p.name_th) for p in cat.programs]}  # fmt: skip


def render(form: Any, error: str | None = None, status: int = 200) -> tuple[str, int]:
    settings, rem = runtime().settings, reminders()
    return page("broadcasts.html", form=form, look=look(form), history=history(), reminders=rem.rows(),
                reminder_days=rem.days, choices=choices(), mine=scope(), room=text_room(footer()), when=when,
                live=LIVE, reasons=REASONS, approval=bool(settings.BROADCAST_APPROVAL),
                quiet=settings.BROADCAST_QUIET_HOURS, error=error), status  # fmt: skip


@bp.route("/broadcasts", methods=["GET", "POST"])
@staff_only
def broadcasts() -> Any:
    if redis() is None:
        return page("broadcasts.html", off=True), 503 if request.method == "POST" else 200
    if request.method == "GET" or request.form.get("do") != "send":
        return render(request.form if request.method == "POST" else MultiDict())
    d, form = desk(), request.form
    try:
        draft = d.draft(form.get("text"), segment_of(form), form.get("card") or None, form.get("at") or None)
        if draft.count == 0 and draft.at is None:
            raise compose.Problem("nobody", "no subscriber matches the segment")
        rec = d.submit(draft, by=me().name)
    except compose.Problem as p:
        return render(form, problem(p), 409 if p.field in ("quota", "nobody") else 400)
    detail = json.dumps({"status": rec["status"], "targeted": draft.count, "segment": draft.segment,
                         "program": draft.program, "at": rec.get("schedule_at")}, ensure_ascii=False)  # fmt: skip
    audit("broadcast.send", rec["id"], detail)
    state = rec["status"] if rec["status"] == "awaiting_approval" or rec.get("schedule_at") else "sending"
    flash(t(f"bc.done.{state}", n=f"{draft.count:,}", at=when(rec.get("schedule_at"))))
    return redirect(url_for("console.broadcasts"))


@bp.route("/broadcasts/preview", methods=["POST"])
@staff_only
def broadcasts_preview() -> Any:
    """The live count and bubble (htmx swaps it into the composer as staff change the form)."""
    if redis() is None:
        abort(503)
    return page("broadcast_preview.html", look=look(request.form), choices=choices())


@bp.route("/broadcasts/<bid>/<what>", methods=["POST"])
@staff_only
def broadcasts_action(bid: str, what: str) -> Any:
    if what not in ("cancel", "approve"):
        abort(404)
    if redis() is None:
        abort(503)
    d = desk()
    rec = d.broadcasts.get(bid)
    if rec is None:
        abort(404)
    guard(center_of(rec))
    try:
        done = d.cancel(bid) if what == "cancel" else d.approve(bid, by=me().name)
    except compose.Problem as p:
        return render(MultiDict(), problem(p), 409)
    audit(f"broadcast.{what}", bid, f"status={done['status']}")
    flash(t(f"bc.{what}.done"))
    return redirect(url_for("console.broadcasts") + "#history")


@bp.route("/broadcasts/reminders/<program>", methods=["POST"])
@admin_only
def broadcasts_reminder(program: str) -> Any:
    if redis() is None:
        abort(503)
    if compose.catalog().program(program) is None:
        abort(404)
    on = request.form.get("enabled") == "1"
    reminders().switch(program, on)
    audit("reminders.switch", program, "on" if on else "off")
    flash(t("bc.rem.on_done" if on else "bc.rem.off_done", name=compose.catalog().by_id[program].name_th))
    return redirect(url_for("console.broadcasts") + "#reminders")
