"""Answers about one program's details (deadline, eligibility, documents, cost, how to apply...)
from config/programs.yml, and short answers about several programs shown together.

Only what the data holds is said. Where a detail is not in the data, the answer says so and
names who runs the program and the user's center, never a guess.
"""

from __future__ import annotations

from typing import Any

from domain.cards import bubble, day
from domain.context import Context
from domain.replies import Card, Message, Text

# Details answered across several programs at once (one line each); others need one program.
ACROSS = ("deadline", "eligibility")


def window(ctx: Context, p: Any) -> str:
    w, today = p.window, ctx.now.date()
    if w.opens and w.opens > today:
        return ctx.say("detail.opens", date=day(ctx, w.opens))
    if w.closes and w.closes < today:
        return ctx.say("detail.closed", date=day(ctx, w.closes))
    if w.closes:
        return ctx.say("detail.closes", date=day(ctx, w.closes), days=(w.closes - today).days)
    return ctx.say("program.always_open")


def eligibility(ctx: Context, p: Any) -> str:
    e, parts = p.eligibility, []
    parts.append(ctx.say("detail.registered_yes" if e.registered_business else "detail.registered_no"))
    if e.employees_max is not None:
        parts.append(ctx.say("detail.size", min=e.employees_min, max=e.employees_max))
    elif e.employees_min:
        parts.append(ctx.say("detail.size_min", min=e.employees_min))
    if e.stages:
        parts.append(ctx.say("detail.stages", stages=" / ".join(ctx.say(f"form.stage.{s}") for s in e.stages)))
    if e.regions:
        parts.append(ctx.say("detail.regions", regions=", ".join(ctx.say(f"region.{r}") for r in e.regions)))
    return "; ".join(parts)


def whom(ctx: Context) -> str:
    """Who confirms a detail: the user's center when the province is known, else how to find it."""
    province = (
        ctx.entities.province or (ctx.topic.province if ctx.topic else None) or (ctx.profile or {}).get("province")
    )
    c = ctx.catalog.center_of.get(province or "")
    if c is None:
        return ctx.say("detail.whom_unknown")
    return ctx.say("detail.whom", center=c.short_en if ctx.lang == "en" else c.short_th, website=c.website)


def about(ctx: Context, p: Any, aspect: str) -> str:
    """One detail of one program, worded by how sure it is; the window shows its dates."""
    d = p.details.get("cost" if aspect == "amount" else aspect)
    if d is None:
        return ctx.say("detail.not_known", what=ctx.say(f"aspect.{aspect}"), whom=whom(ctx))
    text = d.en if ctx.lang == "en" else d.th
    if aspect == "deadline":
        text += "\n" + ctx.say(
            "detail.window_planned" if d.status != "confirmed" else "detail.window", when=window(ctx, p)
        )
    if d.status == "confirmed":
        return text + "\n" + ctx.say("detail.confirmed", date=day(ctx, d.as_of), whom=whom(ctx))
    return text + "\n" + ctx.say(f"detail.{d.status}", whom=whom(ctx))


def one(ctx: Context, p: Any, aspect: str) -> list[Message]:
    """The answer about one program; "overview" is its card, "full" every detail in the chat."""
    name = ctx.name(p)
    if aspect == "overview":
        text = "\n".join([name, str(p.summary_en if ctx.lang == "en" else p.summary_th), window(ctx, p)])
        return [Card(alt=name, contents=bubble(ctx, p), fallback=text), ctx.text("detail.ask_more", name=name)]
    if aspect == "full":
        parts = [name, str(p.summary_en if ctx.lang == "en" else p.summary_th)]
        for a in ("eligibility", "documents", "cost", "apply", "deadline"):
            d = p.details.get(a)
            mark = "" if d.status == "confirmed" else ctx.say(f"detail.mark_{d.status}")
            parts.append(f"• {ctx.say(f'aspect.{a}')}{mark}: {d.en if ctx.lang == 'en' else d.th}")
        parts.append(ctx.say("detail.window_planned", when=window(ctx, p)))
        parts.append(ctx.say("detail.unit_line", unit=p.unit or "-", whom=whom(ctx)))
        if p.source_url:
            parts.append(ctx.say("detail.page", url=p.source_url))
        return [Text("\n".join(parts))]
    if aspect == "contact" and p.unit:
        return [ctx.text("detail.unit", name=name, unit=p.unit)]
    answer = about(ctx, p, aspect)
    if p.source_url and aspect in ("apply", "amount", "cost", "documents"):
        answer += "\n" + ctx.say("detail.page", url=p.source_url)
    return [Text(f"{name} · {ctx.say(f'aspect.{aspect}')}\n{answer}")]


def across(ctx: Context, programs: list[Any], aspect: str) -> list[Message]:
    """One line per program, for a follow-up about all the cards just shown."""
    lines = [ctx.say(f"detail.across.{aspect}")]
    for n, p in enumerate(programs, 1):
        answer = window(ctx, p) if aspect == "deadline" else eligibility(ctx, p).split(";")[0]
        lines.append(f"{n}. {ctx.name(p)}: {answer}")
    lines.append(ctx.say("detail.pick_one"))
    return [Text("\n".join(lines))]


def registration(ctx: Context) -> list[Message]:
    """ "ต้องเป็นนิติบุคคลไหม" with no program in mind: which open programs need a company."""
    today = ctx.now.date()
    need = [p for p in ctx.catalog.programs if p.eligibility.registered_business and p.window.open_on(today)]
    lines = [ctx.say("detail.registration_intro")]
    lines += [f"• {ctx.name(p)}" for p in need]
    lines.append(ctx.say("detail.registration_others"))
    return [Text("\n".join(lines))]
