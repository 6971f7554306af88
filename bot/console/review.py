"""The Review page (issue 12, point 7): the messages the bot was unsure about (clarify, fallback,
"don't know"; already redacted), one row per text. Staff label a row with an intent or attach it
to an FAQ entry in one click (htmx swaps the row in place), or discard it (bot/learning/labels.py).
Admins retrain the intent model on config/ plus the labels (an RQ job; embedded: a thread), see
its figures next to the model in use, and activate a version for every process
(bot/learning/). Every change is in the audit log; every form carries the CSRF token.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, request, url_for

from bot.console.auth import ActionForm
from bot.console.base import admin_only, audit, bp, lang, me, page, runtime, staff_only, t
from bot.learning.labels import Labels, Row
from bot.learning.models import Versions, compat
from domain.clock import thai_date

COLUMNS = [("holdout", "accuracy"), ("holdout", "macro_f1"), ("mistyped", "accuracy"), ("blind", "accuracy"),
           ("blind", "macro_f1"), ("holdout", "oos_recall")]  # fmt: skip
SHOWN = 200  # rows on the page, newest first


@functools.cache
def intents() -> tuple[str, ...]:
    from nlp.classifier import INTENTS  # on first use: the web process starts without nlp

    return INTENTS


@functools.cache
def _blind() -> frozenset[str]:
    from nlp.review import blind_texts

    return frozenset(blind_texts())


def blind(text: str) -> bool:
    """A line of the test sets: never learned (nlp/review.py)."""
    from nlp.normalize import normalize

    return normalize(text) in _blind()


def faq_entries() -> dict[str, str]:
    """config/faq.yml: entry id -> its label in the session's language."""
    ext = runtime()
    if not hasattr(ext, "console_faq"):
        from domain.knowledge import Faq

        ext.console_faq = Faq()
    return {e.id: (e.label_en if lang() == "en" else e.label_th) or e.id for e in ext.console_faq.entries}


def when(at: str) -> str:
    try:
        d = datetime.fromisoformat(at)
    except ValueError:
        return at
    return thai_date(d, with_time=True) if lang() == "th" else d.strftime("%Y-%m-%d %H:%M")


def _row(row: Row, done: str = "", error: str = "") -> str:
    return page("review_row.html", row=row, done=done, error=error, intents=intents(), entries=faq_entries(), when=when)


@bp.route("/review")
@staff_only
def review() -> Any:
    rows = Labels(runtime().store).rows()
    return page("review.html", rows=rows[:SHOWN], total=len(rows), intents=intents(), entries=faq_entries(),
                when=when, **models())  # fmt: skip


@bp.route("/review/item/<iid>/<what>", methods=["POST"])
@staff_only
def review_item(iid: str, what: str) -> Any:
    if what not in ("label", "faq", "discard") or not ActionForm().validate_on_submit():
        abort(400)
    labels = Labels(runtime().store)
    row = labels.row(iid)
    if row is None:
        return _answer(Row(iid, "", "", ""), error=t("review.gone"))
    if what == "discard":
        labels.discard(row)
        audit("review.discarded", iid, f"items={len(row.ids)}")
        return _answer(row, done=t("review.discarded"))
    intent, entry = request.form.get("intent", ""), request.form.get("entry", "")
    entries = faq_entries()
    if (what == "label" and intent not in intents()) or (what == "faq" and entry not in entries):
        return _answer(row, error=t("review.pick"))
    if blind(row.text):
        return _answer(row, error=t("review.blind"))
    if what == "label":
        labels.label(row, intent, me().name)
        audit("review.labelled", iid, f"intent={intent} items={len(row.ids)}")
        return _answer(row, done=t("review.labelled", label=t(f"review.intent.{intent}")))
    labels.label(row, f"faq:{entry}", me().name)
    audit("review.attached", iid, f"faq={entry} items={len(row.ids)}")
    return _answer(row, done=t("review.attached", entry=entries[entry]))


def _answer(row: Row, done: str = "", error: str = "") -> Any:
    """htmx: the row, swapped in place (an error too: htmx swaps only a 2xx answer); a plain
    form: back to the page, with the message."""
    if request.headers.get("HX-Request"):
        return _row(row, done, error)
    flash(error or done)
    return redirect(url_for("console.review"))


@bp.route("/review/models")
@staff_only
def review_models() -> Any:
    return page("review_models.html", **models())


@bp.route("/review/retrain", methods=["POST"])
@admin_only
def review_retrain() -> Any:
    if not ActionForm().validate_on_submit():
        abort(400)
    from bot.learning import train

    ext = runtime()
    versions = Versions(ext.store)
    if versions.busy() is not None:
        return _models(t("review.busy"))
    version = versions.new(me().name)
    try:
        train.start(ext.store, ext.settings, version)
    except Exception as e:  # Redis or RQ away: say so, and leave no version queued forever
        versions.update(version, status="failed", error=f"{type(e).__name__}: {e}"[:300])
        return _models(t("review.start_failed"))
    audit("review.retrain", version, f"labels={len(Labels(ext.store).all())}")
    return _models(t("review.queued", version=version))


@bp.route("/review/activate/<version>", methods=["POST"])
@admin_only
def review_activate(version: str) -> Any:
    if not ActionForm().validate_on_submit():
        abort(400)
    versions = Versions(runtime().store)
    if version != "config":
        rec = versions.get(version)
        if rec is None:
            abort(404)
        if not usable(rec):
            return _models(t("review.cannot_activate"))
    versions.activate(None if version == "config" else version, me().name)
    audit("review.activated", version)
    name = t("review.config_model") if version == "config" else version
    return _models(t("review.activated", name=name))


def _models(message: str) -> Any:
    if request.headers.get("HX-Request"):
        return page("review_models.html", **{**models(), "message": message})
    flash(message)
    return redirect(url_for("console.review"))


def usable(rec: dict[str, Any]) -> bool:
    return rec.get("status") == "ready" and not rec.get("pruned") and rec.get("compat") == compat()


def models() -> dict[str, Any]:
    """The models panel: config/'s model and the newest versions, figures side by side."""
    store = runtime().store
    versions, labels = Versions(store), Labels(store).all()
    active, listed = versions.active(), versions.newest()
    base = {"version": "config", "status": "ready", "figures": (versions.base() or {}).get("figures")}
    rows = [{**base, "usable": True, "active": active is None}]
    rows += [{**rec, "usable": usable(rec), "active": rec["version"] == active} for rec in listed]
    shown = next((r for r in rows if r["active"]), rows[0])
    latest = next((r for r in listed if r.get("status") == "ready"), None)
    since = (latest.get("started") or latest["at"]) if latest else ""
    return {"models": rows, "in_use": shown, "columns": COLUMNS, "labels": len(labels),
            "waiting": sum(1 for x in labels if str(x.get("at", "")) > since),
            "busy": versions.busy() is not None, "message": ""}  # fmt: skip
