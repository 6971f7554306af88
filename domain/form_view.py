"""What the registration form shows: a question, the summary card, the edit list, "continue?".

Each view returns the Result with the form's position and prompt set, and the draft to save.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from domain.context import Context, Result
from domain.effects import Effect, SaveDraft
from domain.flex import render
from domain.form import FIELDS, STAGES, missing, show
from domain.prompts import Form
from domain.replies import Card, Choice, Message, Text
from domain.state import FormPos

STALE = timedelta(hours=1)


def stale(ctx: Context) -> bool:
    pos = ctx.state.form
    return bool(pos and ctx.now - datetime.fromisoformat(pos.at) > STALE)


def at(ctx: Context, step: str, editing: bool = False) -> Any:
    """The state with the form at `step` and its question as the active prompt."""
    program = ctx.args.get("program") or (ctx.state.form.program if ctx.state.form else None)
    pos = FormPos(step=step, at=ctx.now.isoformat(), editing=editing, program=program)
    return ctx.keep(form=pos, prompt=Form(step=step, editing=editing))


def draft_record(ctx: Context, fields: dict[str, Any]) -> dict[str, Any]:
    started = (ctx.draft or {}).get("started") or ctx.now.isoformat()
    return {"v": 1, "fields": fields, "started": started, "updated": ctx.now.isoformat()}


def ask(ctx: Context, fields: dict[str, Any], field: str, before: Sequence[Message] = (), **kw: Any) -> Result:
    """The question for `field`, after `before` (an error, an intro, another answer)."""
    n = FIELDS.index(field) + 1
    messages = [*before, ctx.text("form.ask_prefix", n=n, total=len(FIELDS), question=ctx.say(f"form.ask.{field}"))]
    effects: list[Effect] = [SaveDraft(draft_record(ctx, fields))]
    return Result(messages, _choices(ctx, field), state=at(ctx, field, kw.get("editing", False)), effects=effects)


def next_step(ctx: Context, fields: dict[str, Any], before: Sequence[Message] = ()) -> Result:
    todo = missing(fields)
    return ask(ctx, fields, todo[0], before) if todo else summary(ctx, fields, before)


def _choices(ctx: Context, field: str) -> list[Choice]:
    if field == "track":
        return [ctx.choice("agro"), ctx.choice("creative"), ctx.choice("smart"), ctx.choice("cancel")]
    if field == "stage":
        return [ctx.choice(f"stage_{s}") for s in STAGES] + [ctx.choice("cancel")]
    if field == "registration_no":
        return [ctx.choice("none"), ctx.choice("cancel")]
    return [ctx.choice("cancel")]


def summary(ctx: Context, fields: dict[str, Any], before: Sequence[Message] = ()) -> Result:
    title = ctx.say("form.summary_title")
    rows = [
        f"{n}) {ctx.say(f'form.label.{f}')}: {show(ctx.say, ctx.lang, ctx.catalog, f, fields.get(f))}"
        for n, f in enumerate(FIELDS, 1)
    ]
    center = ctx.catalog.center_of.get(fields.get("province", ""))
    where = (
        ctx.say("form.summary_center", center=center.short_en if ctx.lang == "en" else center.short_th)
        if center
        else ""
    )
    program = ctx.catalog.program(ctx.args.get("program") or (ctx.state.form.program if ctx.state.form else None))
    if program:
        rows.append(ctx.say("form.summary_program", name=ctx.name(program)))
    values = {"title": title, "rows": rows, "center": where, "confirm": ctx.say("choice.confirm"),
              "edit": ctx.say("choice.edit")}  # fmt: skip
    fallback = "\n".join([title, *rows, where])
    card = Card(alt=title, contents=render(ctx.catalog.flex["summary"], values), fallback=fallback)
    choices = [ctx.choice("confirm"), ctx.choice("edit"), ctx.choice("cancel")]
    return Result(
        [*before, card, ctx.text("form.confirm_help")],
        choices,
        state=at(ctx, "confirm"),
        effects=[SaveDraft(draft_record(ctx, fields))],
    )


def which(ctx: Context, fields: dict[str, Any]) -> Result:
    lines = [ctx.say("form.edit_which")]
    lines += [f"{n}) {ctx.say(f'form.label.{f}')}" for n, f in enumerate(FIELDS, 1)]
    return Result([Text("\n".join(lines))], [ctx.choice("cancel")], state=at(ctx, "edit"))


def resume_ask(ctx: Context, fields: dict[str, Any], before: Sequence[Message] = ()) -> Result:
    done = len(FIELDS) - len(missing(fields))
    return Result(
        [*before, ctx.text("form.welcome_back", done=done, total=len(FIELDS))],
        [ctx.choice("resume"), ctx.choice("pause")],
        state=at(ctx, "resume"),
    )
