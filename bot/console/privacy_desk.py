"""The data protection officer's desk (issue 12, point 2): access and erasure requests made outside
LINE (a letter, an e-mail, a visit). The officer finds the person by their LINE user ID or a
registration ID, sees what is stored, downloads it for them (the same JSON as "ข้อมูลของฉัน" on
LINE) or erases it (the same erasure as "ลบข้อมูล"). Admins only; every look-up, download and
erasure is in the audit log with the request's reference, never the person's data."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from flask import Response, abort, flash, redirect, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from bot.console.base import admin_only, audit, bp, page, runtime, t
from bot.ids import mask, user_key
from bot.privacy import collect, erase_user

LINE_ID = re.compile(r"^U[0-9a-f]{32}$")


class FindForm(FlaskForm):
    who = StringField(validators=[DataRequired(), Length(max=64)])
    ref = StringField(validators=[DataRequired(), Length(max=80)])  # the request's reference (letter no.)


class EraseForm(FlaskForm):
    who = StringField(validators=[DataRequired(), Length(max=64)])
    ref = StringField(validators=[DataRequired(), Length(max=80)])
    sure = BooleanField(validators=[DataRequired()])


def find(who: str) -> tuple[str, str] | None:
    """(HMAC key, LINE user ID) of a LINE user ID or a registration ID, if anything is stored."""
    store, who = runtime().store, who.strip()
    if LINE_ID.fullmatch(who):
        uh = user_key(runtime().settings.hash_key, who)
    else:
        ref = store.get("leadref", who.upper().replace("-", ""))
        if not ref:
            return None
        uh = ref.get("uh", "")
    user = store.get("user", uh)
    return (uh, str(user["id"])) if user and user.get("id") else None


def requested(form: Any) -> tuple[Any, tuple[str, str]]:
    """A valid form (else 400) and the person it names (else 404)."""
    if not form.validate_on_submit():
        abort(400)
    hit = find(form.who.data)
    if hit is None:
        abort(404)
    return form, hit


def summary(data: dict[str, Any]) -> list[tuple[str, int]]:
    return [(k, len(v) if isinstance(v, list | dict) else int(bool(v))) for k, v in data.items()]


@bp.route("/privacy", methods=["GET", "POST"])
@admin_only
def privacy() -> Any:
    form, found = FindForm(), None
    if form.validate_on_submit():
        hit = find(form.who.data)
        audit("privacy.lookup", form.ref.data, "found" if hit else "nothing stored")
        if hit is None:
            flash(t("dpo.nothing"))
        else:
            found = {"who": form.who.data.strip(), "ref": form.ref.data, "masked": mask(hit[1]),
                     "summary": summary(collect(runtime().store, hit[0]))}  # fmt: skip
    return page("privacy_desk.html", form=form, found=found, erase=EraseForm())


@bp.route("/privacy/export", methods=["POST"])
@admin_only
def privacy_export() -> Any:
    form, (uh, _) = requested(FindForm())
    audit("privacy.exported", form.ref.data)
    body = json.dumps(collect(runtime().store, uh), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="data-{form.ref.data[:40]}.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/privacy/erase", methods=["POST"])
@admin_only
def privacy_erase() -> Any:
    form, (uh, chat_id) = requested(EraseForm())
    erase_user(runtime().store, uh, chat_id, datetime.now(UTC).isoformat())
    audit("privacy.erased", form.ref.data)
    flash(t("dpo.erased", ref=form.ref.data))
    return redirect(url_for("console.privacy"))
