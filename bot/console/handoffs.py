"""The Handoff inbox (issue 12, point 5): users who asked for a person, the longest waiting first.

- The open cases are the store's index (`dip:cases-open`; handlers/human.py opens them): a case
  stays until resolved here or by "ปิดเรื่อง" on LINE, however long it takes. htmx polls the rows
  every 5 s, so new cases appear without reloading.
- A case page shows what the consent rules allow and takes a reply, sent by LINE push with a
  retry key derived from the form's reply ID: the same form sent twice is delivered once (and a
  reply ID already recorded is not pushed again). A reply keeps the bot quiet for the user another
  HANDOFF_HOURS, so their answer reaches staff, not the bot.
- Resolve tells the user (the notice "ปิดเรื่อง" sends), clears their handoff as
  "กลับไปคุยกับบอท" does, and closes the case.
- Every page, reply and resolve is in the audit log with case IDs only (never a text or a LINE
  ID); the polled rows are recorded when what they show changes, not every 5 seconds.
The cases themselves (center, consent, push, handoff flag) are in bot/console/handoff_cases.py.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, session, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Regexp, ValidationError

from bot.console.auth import ActionForm
from bot.console.base import audit, bp, me, page, runtime, staff_only, t
from bot.console.handoff_cases import Case, bot_part, find, handoff, now, push, visible, when
from bot.messenger.render import MAX_TEXT_UTF16, utf16_len
from domain.texts import Texts


class ReplyForm(FlaskForm):
    text = TextAreaField(validators=[DataRequired()])
    reply_id = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{32}$")])  # one per form shown

    def validate_text(self, field: Any) -> None:
        if utf16_len(field.data or "") > MAX_TEXT_UTF16:  # LINE's limit for one text message
            raise ValidationError(t("handoffs.too_long"))


def rows(template: str, action: str) -> Any:
    cases = visible()
    shown = hashlib.sha256(" ".join(c.id for c in cases).encode()).hexdigest()[:16]
    if template == "handoffs.html" or session.get("handoffs.shown") != shown:
        session["handoffs.shown"] = shown
        audit(action, detail=" ".join(["open:", *[c.id for c in cases]]))
    return page(template, cases=[c.row() for c in cases], updated=when(now().isoformat()))


@bp.route("/handoffs")
@staff_only
def handoffs() -> Any:
    return rows("handoffs.html", "handoffs.viewed")


@bp.route("/handoffs/rows")
@staff_only
def handoffs_rows() -> Any:
    """The rows alone, for htmx's polling (recorded when they change)."""
    return rows("handoff_rows.html", "handoffs.polled")


@bp.route("/handoffs/<case_id>")
@staff_only
def handoffs_case(case_id: str) -> Any:
    case = find(case_id)
    audit("handoffs.case_viewed", case.id, "messages and profile" if case.consented else "intent and time only")
    return case_page(case, ReplyForm(reply_id=uuid.uuid4().hex))


def case_page(case: Case, form: ReplyForm, error: str | None = None) -> str:
    return page("handoff.html", c=case.row(), reply=form, action=ActionForm(), error=error, **case.context())


@bp.route("/handoffs/<case_id>/reply", methods=["POST"])
@staff_only
def handoffs_reply(case_id: str) -> Any:
    case, form = find(case_id), ReplyForm()
    if not form.validate_on_submit():
        return case_page(case, form), 400
    rid, text, store = form.reply_id.data, form.text.data.strip(), runtime().store
    if any(r.get("id") == rid for r in case.replies):
        flash(t("handoffs.sent_already"))
        return redirect(url_for("console.handoffs_case", case_id=case.id))
    if problem := push(case, text, rid):
        audit("handoffs.reply_failed", case.id, problem)
        return case_page(case, form, t(f"handoffs.{problem}")), 409 if problem == "blocked" else 503
    at = now()
    if (fresh := store.get("case", case.id)) is not None:  # read again: a reply or a resolve may have come
        reply = {"id": rid, "at": at.isoformat(), "by": me().name}  # who and when; never the text
        store.open_case(case.id, case.uh, {**fresh, "replies": [*(fresh.get("replies") or []), reply]})
        from domain.state import Handoff  # here: the web process loads no NLU at start (tests/test_app.py)
        from handlers.human import HANDOFF_HOURS

        handoff(case, Handoff(case.id, (at + timedelta(hours=HANDOFF_HOURS)).isoformat()))
    audit("handoffs.replied", case.id, f"{utf16_len(text)} characters")
    flash(t("handoffs.sent"))
    return redirect(url_for("console.handoffs_case", case_id=case.id))


@bp.route("/handoffs/<case_id>/resolve", methods=["POST"])
@staff_only
def handoffs_resolve(case_id: str) -> Any:
    if not ActionForm().validate_on_submit():
        abort(400)
    case = find(case_id)
    notice = bot_part("texts", Texts)("human.closed_user", case.record.get("lang", "th"))
    problem = push(case, notice, "resolved")
    if problem == "not_delivered":  # pressed again later: the same retry key, so the user is told once
        audit("handoffs.resolve_failed", case.id, problem)
        return case_page(case, ReplyForm(reply_id=uuid.uuid4().hex), t("handoffs.not_delivered")), 503
    handoff(case, None)
    runtime().store.close_case(case.id)
    audit("handoffs.resolved", case.id, f"user not told: {problem}" if problem else "user told")
    flash(t("handoffs.resolved", case=case.id) + (" " + t("handoffs.untold") if problem else ""))
    return redirect(url_for("console.handoffs"))
