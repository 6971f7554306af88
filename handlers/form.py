"""Registration as a form: after consent, ask only for what is still missing, validate each
answer with the entity extractors, let the user correct a field or cancel, resume days later
(the draft lives 14 days), and end with a summary to confirm. Confirming creates a lead for
the regional center of the province.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from bot.flex import render
from handlers import consent
from handlers.base import Card, Choice, Context, Message, Result, Text
from handlers.form_fields import PARSERS, STAGES, typed

FIELDS = ("business_name", "contact_name", "province", "track", "sector", "stage", "employees", "products",
          "phone", "registration_no")  # fmt: skip
CONFIRM = {"ยืนยัน", "ยืนยันส่ง", "ส่ง", "ถูกต้อง", "confirm", "yes", "ok", "ตกลง"}
EDIT = {"แก้ไข", "แก้", "edit", "change"}
RESUME = {"ทำต่อ", "ต่อ", "สมัครต่อ", "continue", "สมัคร", "เริ่มสมัคร", "apply"}
STALE = timedelta(hours=1)


def missing(fields: dict[str, Any]) -> list[str]:
    return [f for f in FIELDS if f not in fields]


def start(ctx: Context) -> Result:
    """ "สมัคร": consent first, then the first missing field (a draft or profile fills the rest)."""
    if not ctx.consent.get("current"):
        return consent.ask(ctx, "register")
    draft = dict((ctx.draft or {}).get("fields") or {})
    resumed = bool(draft)
    for key, value in _prefill(ctx).items():
        draft.setdefault(key, value)
    intro = (
        [ctx.text("form.resumed", done=len(FIELDS) - len(missing(draft)), total=len(FIELDS))]
        if resumed
        else [ctx.text("form.intro")]
    )
    return _next(ctx, draft, intro)


def step(ctx: Context) -> Result:
    """An answer while the form is open (router step 3)."""
    if not ctx.consent.get("current"):
        return consent.ask(ctx, "register")  # withdrawn meanwhile, or a new notice version
    form = ctx.state.get("form") or {}
    draft = dict((ctx.draft or {}).get("fields") or {})
    text = ctx.incoming.text.strip()
    key = typed(text)
    at = form.get("at")
    if form.get("step") != "resume" and at and ctx.now - datetime.fromisoformat(at) > STALE and key not in RESUME:
        return _ask_resume(ctx, draft)
    where = form.get("step")
    if where == "resume":
        return _next(ctx, draft, []) if key in RESUME else _ask_resume(ctx, draft)
    if where == "confirm":
        if key in CONFIRM:
            return _submit(ctx, draft)
        if key in EDIT:
            return _ask_which(ctx, draft)
        return _summary(ctx, draft, [ctx.text("form.confirm_help")])
    if where == "edit":
        if key.isdigit() and 1 <= int(key) <= len(FIELDS):
            return _ask(ctx, draft, FIELDS[int(key) - 1], editing=True)
        return _ask_which(ctx, draft)
    if where not in FIELDS:
        return _next(ctx, draft, [])
    value, ok = PARSERS[where](ctx, text)
    if not ok:
        return _ask(ctx, draft, where, error=True, editing=bool(form.get("editing")))
    draft[where] = value
    if where == "sector" and (tag := ctx.ents.sector(text)):
        draft["sector_tag"] = tag
    if form.get("editing"):
        return _summary(ctx, draft, [])
    return _next(ctx, draft, [])


def _next(ctx: Context, draft: dict[str, Any], before: list[Any]) -> Result:
    todo = missing(draft)
    if not todo:
        return _summary(ctx, draft, before)
    r = _ask(ctx, draft, todo[0])
    r.messages[:0] = before
    return r


def _state(ctx: Context, step: str, editing: bool = False) -> dict[str, Any]:
    state = {k: v for k, v in ctx.state.items() if k not in ("prompt", "form")}
    state["form"] = {"step": step, "at": ctx.now.isoformat(), "editing": editing}
    return state


def _draft(ctx: Context, fields: dict[str, Any]) -> dict[str, Any]:
    started = (ctx.draft or {}).get("started") or ctx.now.isoformat()
    return {"v": 1, "fields": fields, "started": started, "updated": ctx.now.isoformat()}


def _ask(ctx: Context, draft: dict[str, Any], field: str, error: bool = False, editing: bool = False) -> Result:
    n = FIELDS.index(field) + 1
    messages: list[Message] = [ctx.text(f"form.bad.{field}")] if error else []
    messages.append(ctx.text("form.ask_prefix", n=n, total=len(FIELDS), question=ctx.say(f"form.ask.{field}")))
    return Result(messages, _choices(ctx, field), state=_state(ctx, field, editing), draft=_draft(ctx, draft))


def _choices(ctx: Context, field: str) -> list[Choice]:
    if field == "track":
        return [ctx.choice("agro"), ctx.choice("creative"), ctx.choice("smart"), ctx.choice("cancel")]
    if field == "stage":
        return [Choice(ctx.say(f"form.stage.{s}")[:20], str(i)) for i, s in enumerate(STAGES, 1)] + [
            ctx.choice("cancel")
        ]
    if field == "registration_no":
        return [ctx.choice("none"), ctx.choice("cancel")]
    return [ctx.choice("cancel")]


def _summary(ctx: Context, draft: dict[str, Any], before: list[Any]) -> Result:
    lines = [ctx.say("form.summary_title")]
    lines += [f"{n}) {ctx.say(f'form.label.{f}')}: {show(ctx, f, draft.get(f))}" for n, f in enumerate(FIELDS, 1)]
    center = ctx.data.center_of.get(draft.get("province", ""))
    if center:
        lines.append(ctx.say("form.summary_center", center=center.short_en if ctx.lang == "en" else center.short_th))
    lines.append(ctx.say("form.confirm_help"))
    choices = [ctx.choice("confirm"), ctx.choice("edit"), ctx.choice("cancel")]
    card = Card(
        alt=lines[0],
        fallback="\n".join(lines),
        contents=render(
            ctx.data.flex["summary"],
            {
                "title": lines[0],
                "rows": lines[1 : len(FIELDS) + 1],
                "center": lines[-2] if center else "",
                "confirm": ctx.say("choice.confirm"),
                "edit": ctx.say("choice.edit"),
            },
        ),
    )
    return Result(
        [*before, card, ctx.text("form.confirm_help")], choices, state=_state(ctx, "confirm"), draft=_draft(ctx, draft)
    )


def _ask_which(ctx: Context, draft: dict[str, Any]) -> Result:
    lines = [ctx.say("form.edit_which")]
    lines += [f"{n}) {ctx.say(f'form.label.{f}')}" for n, f in enumerate(FIELDS, 1)]
    return Result([Text("\n".join(lines))], [ctx.choice("cancel")], state=_state(ctx, "edit"), draft=_draft(ctx, draft))


def _ask_resume(ctx: Context, draft: dict[str, Any]) -> Result:
    done = len(FIELDS) - len(missing(draft))
    return Result(
        [ctx.text("form.welcome_back", done=done, total=len(FIELDS))],
        [ctx.choice("resume"), ctx.choice("cancel")],
        state=_state(ctx, "resume"),
        draft=_draft(ctx, draft),
    )


def _submit(ctx: Context, draft: dict[str, Any]) -> Result:
    center = ctx.data.center_of[draft["province"]]
    lead_id = "R" + hashlib.sha256(f"{ctx.incoming.event_id}{ctx.now}".encode()).hexdigest()[:6].upper()
    lead = {
        "v": 1,
        "id": lead_id,
        "at": ctx.now.isoformat(),
        "status": "submitted",
        "center": center.id,
        "fields": draft,
        "notice_version": ctx.notice.version,
    }
    profile = {**(ctx.profile or {}), **draft, "v": 1, "updated": ctx.now.isoformat()}
    state = {k: v for k, v in ctx.state.items() if k not in ("prompt", "form")}
    name = center.name_en if ctx.lang == "en" else center.name_th
    from handlers.menu import after_answer
    from handlers.recommend import messages as recommended

    done = [ctx.text("form.done", id=lead_id, center=name, phone=center.phone), *recommended(ctx, profile)][:5]
    return Result(
        done,
        after_answer(ctx, "status", "mentor_request", "funding"),
        state=state,
        profile=profile,
        leads=[lead],
        clear_draft=True,
    )


def show(ctx: Context, field: str, value: Any) -> str:
    if value is None:
        return ctx.say("form.none") if field == "registration_no" else "-"
    if field == "track":
        return ctx.say(f"choice.{value}")
    if field == "stage":
        return ctx.say(f"form.stage.{value}")
    if field == "province" and ctx.lang == "en":
        return ctx.data.province[value].name_en
    return str(value)


def _prefill(ctx: Context) -> dict[str, Any]:
    """From the profile (an earlier registration) and what this message already said."""
    out = {f: v for f, v in (ctx.profile or {}).items() if f in FIELDS}
    ents = ctx.entities
    for field in ("province", "employees"):
        if ents.get(field) is not None:
            out.setdefault(field, ents[field])
    if ents.get("track"):
        out.setdefault("track", ents["track"])
    return out
