"""The registration form's answers (router step 3 reads them through the Form prompt): store a
plausible answer and ask the next question, explain a question, edit, pause, discard, submit.
Confirming creates a lead for the regional center of the province."""

from __future__ import annotations

from typing import Any

from domain import form_view
from domain.context import Context, Result
from domain.effects import AppendLead, ClearDraft, ContinueWith, SaveProfile
from domain.form import FIELDS
from domain.guidance import recommended
from domain.ids import new_id
from domain.menus import after_answer, main_menu
from domain.routes import Route


def _fields(ctx: Context) -> dict[str, Any]:
    return dict((ctx.draft or {}).get("fields") or {})


def _no_consent(ctx: Context) -> Result | None:
    """Consent withdrawn meanwhile, or a new notice version: ask again, then carry on."""
    if ctx.consent.get("current"):
        return None
    return Result(effects=[ContinueWith(Route("consent.ask", {"then": {"name": "register.resume", "args": {}}}))])


def answer(ctx: Context) -> Result:
    if (r := _no_consent(ctx)) is not None:
        return r
    fields, field = _fields(ctx), ctx.args["field"]
    fields[field] = ctx.args["value"]
    if field == "sector" and ctx.args.get("sector"):
        fields["sector_tag"] = ctx.args["sector"]
    return form_view.summary(ctx, fields) if ctx.args.get("editing") else form_view.next_step(ctx, fields)


def invalid(ctx: Context) -> Result:
    field = ctx.args["field"]
    return form_view.ask(ctx, _fields(ctx), field, [ctx.text(f"form.bad.{field}")], editing=ctx.args.get("editing"))


def explain(ctx: Context) -> Result:
    field = ctx.args["field"]
    return form_view.ask(ctx, _fields(ctx), field, [ctx.text(f"form.help.{field}")])


def reoffer(ctx: Context) -> Result:
    """After an interruption: the same question again (or "continue?" after a long pause)."""
    pos, fields = ctx.state.form, _fields(ctx)
    if pos is None:
        return Result()
    if form_view.stale(ctx):
        return form_view.resume_ask(ctx, fields)
    if pos.step in FIELDS:
        return form_view.ask(ctx, fields, pos.step, [ctx.text("form.back")], editing=pos.editing)
    if pos.step == "edit":
        return form_view.which(ctx, fields)
    return Result([ctx.text("form.confirm_pending")], [ctx.choice("confirm"), ctx.choice("edit")],
                  state=form_view.at(ctx, "confirm"))  # fmt: skip


def resume(ctx: Context) -> Result:
    return form_view.next_step(ctx, _fields(ctx), [ctx.text("form.resumed", done=_done(ctx), total=len(FIELDS))])


def edit(ctx: Context) -> Result:
    return form_view.which(ctx, _fields(ctx))


def edit_field(ctx: Context) -> Result:
    return form_view.ask(ctx, _fields(ctx), ctx.args["field"], editing=True)


def pause(ctx: Context) -> Result:
    days = ctx.notice.retention.drafts_days
    return Result([ctx.text("form.paused", days=days)], [ctx.choice("resume"), *main_menu(ctx)[:4]],
                  state=ctx.keep(form=None))  # fmt: skip


def discard(ctx: Context) -> Result:
    return Result([ctx.text("form.discarded")], main_menu(ctx), state=ctx.keep(form=None),
                  effects=[ClearDraft()])  # fmt: skip


def submit(ctx: Context) -> Result:
    if (r := _no_consent(ctx)) is not None:
        return r
    fields = _fields(ctx)
    center = ctx.catalog.center_of[fields["province"]]
    lead_id = new_id("R", ctx.incoming.event_id)
    program = ctx.state.form.program if ctx.state.form else None
    lead = {"v": 1, "id": lead_id, "at": ctx.now.isoformat(), "status": "submitted", "center": center.id,
            "fields": fields, "program": program, "notice_version": ctx.notice.version}  # fmt: skip
    profile = {**(ctx.profile or {}), **fields, "v": 1, "updated": ctx.now.isoformat()}
    done = ctx.text("form.done", id=lead_id, center=ctx.name(center), phone=center.phone)
    shown, topic = recommended(ctx, profile)
    state = ctx.keep(form=None, topic=topic)
    return Result(
        [done, *shown][:5],
        after_answer(ctx, "status", "mentor_request", "funding"),
        state=state,
        effects=[SaveProfile(profile), AppendLead(lead), ClearDraft()],
    )


def _done(ctx: Context) -> int:
    return sum(1 for f in FIELDS if f in _fields(ctx))
