"""The Leads pages (issue 12, point 4): registrations made through the bot, filtered and paged;
one lead's page (what the person gave, with their consent; the programs that fit them; their
mentor requests; the status history); status changes with a note, mentor introductions approved
or declined, a follow-up case closed; and the CSV export of the filtered rows.

Decisions run the LINE staff commands' own handlers (bot/console/leads_commands.py). Center staff
see their own center's leads only, and another center's lead answers 404. Every view, export and
change is in the audit log, with IDs and filters only (a note's text stays with the lead).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length

from bot.console.auth import ActionForm
from bot.console.base import audit, bp, guard, lang, me, page, runtime, scope, staff_only, t
from bot.console.dashboard import runtime_catalog
from bot.console.leads_commands import apply, deps, run
from bot.console.leads_rows import FIELDS, NO_PROGRAM, STATUSES, Filters, csv_file, find, history, phone, visible, when
from domain.clock import thai_date
from domain.effects import SetLeadStatus
from domain.kpi import TRACKS
from domain.matching import rank

PER_PAGE = 50
NOTE_MAX = 500
COMMAND = {"contacted": "staff.contacted", "confirmed": "staff.confirm"}  # what staff may set (handlers/staff.py)


class StatusForm(FlaskForm):
    status = SelectField(choices=list(COMMAND))
    note = TextAreaField(validators=[Length(max=NOTE_MAX)])


@bp.route("/leads")
@staff_only
def leads() -> Any:
    mine, centers = scope(), [c.id for c in runtime_catalog().centers]
    seen = visible(runtime().store, mine)
    f = Filters.read(request.args, centers, mine)
    rows = [x for x in seen if f.keeps(x)]
    pages = max(1, -(-len(rows) // PER_PAGE))
    n = min(max(request.args.get("page", 1, type=int), 1), pages)
    audit("leads.viewed", detail=f"{f.describe()} page={n}")
    programs = sorted({x.get("program") or NO_PROGRAM for x in seen} | ({f.program} if f.program else set()))
    first = (n - 1) * PER_PAGE
    return page("leads.html", rows=rows[first : first + PER_PAGE], total=len(rows), filters=f, query=f.query(),
                page_no=n, pages=pages, first=first + 1, mine=mine, centers=centers, tracks=TRACKS,
                statuses=STATUSES, programs=programs, program_name=program_name, stamp=stamp)  # fmt: skip


@bp.route("/leads.csv")
@staff_only
def leads_csv() -> Any:
    mine = scope()
    f = Filters.read(request.args, [c.id for c in runtime_catalog().centers], mine)
    rows = [x for x in visible(runtime().store, mine) if f.keeps(x)]
    audit("leads.exported", detail=f"{f.describe()} rows={len(rows)}")
    stamp = deps().clock.now().strftime("%Y%m%d-%H%M")
    return Response(csv_file(rows, t, program_name), headers={
        "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="diprom-leads-{stamp}.csv"'})  # fmt: skip


@bp.route("/leads/<lead_id>")
@staff_only
def lead(lead_id: str) -> Any:
    uh, record = _own(lead_id)
    profile = runtime().store.get("profile", uh) or {}
    audit("lead.viewed", record["id"])
    form = StatusForm(status="confirmed" if record.get("status") == "contacted" else "contacted")
    return page("leads_detail.html", lead=record, fields=_fields(record), history=history(record),
                matches=_matches(record, profile), intros=_intros(profile), case=_case(record), form=form,
                action=ActionForm(), program_name=program_name, stamp=stamp, day=day)  # fmt: skip


@bp.route("/leads/<lead_id>/status", methods=["POST"])
@staff_only
def lead_status(lead_id: str) -> Any:
    _uh, record = _own(lead_id)
    lead_id, form = record["id"], StatusForm()
    if not form.validate_on_submit():
        abort(400)
    old, new, text = record.get("status", "submitted"), str(form.status.data), (form.note.data or "").strip()
    if new == old and not text:
        flash(t("leads.unchanged"))
        return redirect(url_for("console.lead", lead_id=lead_id))
    notes = list(record.get("notes") or [])

    def noted(e: Any) -> Any:
        if not isinstance(e, SetLeadStatus) or not text:
            return e
        return replace(e, extra={**e.extra, "notes": [*notes, {"at": e.at, "by": me().name, "status": new,
                                                                "text": text}]})  # fmt: skip

    if new == old:  # a note only: nothing to tell the applicant, nothing in the KPIs changes
        apply([noted(SetLeadStatus(lead_id, old, at=deps().clock.now().isoformat()))])
        flash(t("leads.noted"))
    else:
        done = run(COMMAND[new], lead_id, lang(), noted)
        for line in done.said:
            flash(line)
        if done.unsent:
            flash(t("leads.unsent"))
    audit("lead.status", lead_id, f"{old}->{new}" + (" +note" if text else ""))
    return redirect(url_for("console.lead", lead_id=lead_id))


@bp.route("/leads/<lead_id>/intros/<intro_id>/<decision>", methods=["POST"])
@staff_only
def lead_intro(lead_id: str, intro_id: str, decision: str) -> Any:
    uh, record = _own(lead_id)
    lead_id = record["id"]
    asked = {r.get("id") for r in (runtime().store.get("profile", uh) or {}).get("mentor_requests", [])}
    if decision not in ("approve", "decline") or intro_id not in asked:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    done = run(f"staff.{decision}", intro_id, lang())
    for line in done.said:
        flash(line)
    if done.unsent:
        flash(t("leads.unsent"))
    audit(f"intro.{decision}", intro_id, f"lead={lead_id}")
    return redirect(url_for("console.lead", lead_id=lead_id))


@bp.route("/leads/<lead_id>/case", methods=["POST"])
@staff_only
def lead_case(lead_id: str) -> Any:
    _uh, record = _own(lead_id)
    lead_id, case = record["id"], _case(record)
    if case is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    for line in run("staff.close", case, lang()).said:
        flash(line)
    audit("case.closed", case, f"lead={lead_id}")
    return redirect(url_for("console.lead", lead_id=lead_id))


def _own(lead_id: str) -> tuple[str, dict[str, Any]]:
    """The lead and its owner's HMAC; 404 when it does not exist or belongs to another center."""
    found = find(runtime().store, lead_id)
    if found is None:
        abort(404)
    guard(found[1].get("center"))
    return found


def program_name(program_id: Any) -> str:
    if not program_id or program_id == NO_PROGRAM:
        return t("leads.no_program")
    p = runtime_catalog().program(program_id)
    return str(p.name_en if lang() == "en" else p.name_th) if p else str(program_id)


def stamp(item: dict[str, Any]) -> str:
    """When a lead, a status change or a request happened, in Bangkok time (Thai: the B.E. year)."""
    at = when(item)
    return thai_date(at, with_time=True) if lang() == "th" else at.strftime("%Y-%m-%d %H:%M")


def day(d: date) -> str:
    return thai_date(datetime(d.year, d.month, d.day)) if lang() == "th" else d.isoformat()


def _fields(lead: dict[str, Any]) -> list[tuple[str, str]]:
    f = lead.get("fields") or {}
    shown = {**f, "track": t(f"track.{f['track']}") if f.get("track") else None,
             "stage": t(f"leads.stage.{f['stage']}") if f.get("stage") else None,
             "phone": phone(f.get("phone")),
             "registration_no": f.get("registration_no") or t("leads.no_registration")}  # fmt: skip
    return [(t(f"leads.field.{k}"), "-" if shown.get(k) in (None, "") else str(shown[k])) for k in FIELDS if k in f]


def _matches(lead: dict[str, Any], profile: dict[str, Any]) -> list[Any]:
    business = {**profile, **(lead.get("fields") or {})}
    catalog = runtime_catalog()
    province = catalog.province.get(business.get("province") or "")
    fits, _near = rank(catalog.programs, business, deps().clock.now().date(), province.region if province else None)
    return [m.program for m in fits[:8]]


def _intros(profile: dict[str, Any]) -> list[dict[str, Any]]:
    store, mentors = runtime().store, {m.id: m for m in runtime_catalog().mentors.mentors}
    out = []
    for r in profile.get("mentor_requests", []):
        intro = store.get("intro", r["id"]) or {}
        m = mentors.get(intro.get("mentor") or "")
        name = (m.name_en if lang() == "en" else m.name_th) if m else ""
        out.append({**r, **intro, "mentor_name": name, "mentor_province": m.province if m else ""})
    return out


def _case(lead: dict[str, Any]) -> str | None:
    """The lead's follow-up case (opened when the applicant asked after the response time), if open."""
    case = lead.get("followup")
    return case if case and runtime().store.get("case", case) is not None else None
