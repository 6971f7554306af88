"""Programs: a track's open programs (the three program intents differ only by the track they
carry), one program's details, and "which program?" when a follow-up has no subject."""

from __future__ import annotations

from domain import details
from domain.cards import center_line
from domain.context import Context, Result
from domain.guidance import track_answer
from domain.menus import after_answer
from domain.prompts import WhichProgram
from domain.replies import Text
from domain.state import Topic


def track(ctx: Context) -> Result:
    return track_answer(ctx, ctx.args["track"])


def detail(ctx: Context) -> Result:
    aspect = ctx.args.get("aspect") or "overview"
    ids = ctx.args.get("programs")
    if ids:  # a follow-up about every card just shown
        programs = [p for i in ids if (p := ctx.catalog.program(i))]
        return Result(details.across(ctx, programs, aspect), after_answer(ctx, "contact"))
    p = ctx.catalog.program(ctx.args.get("program"))
    if p is None:
        return which(ctx)
    old = ctx.topic
    topic = Topic(
        at=ctx.now.isoformat(),
        track=p.track if p.track != "cross" else (old.track if old else None),
        programs=old.programs if old and p.id in old.programs else (p.id,),
        program=p.id,
        province=old.province if old else None,
    )
    choices = after_answer(ctx, "start", "contact")
    messages = details.one(ctx, p, aspect)
    if ctx.entities.province:  # "อยากกู้ดีพร้อมเปย์ อยู่พิษณุโลก": where to apply
        messages.append(center_line(ctx, ctx.entities.province))
    return Result(messages, choices, state=ctx.keep(topic=topic))


def which(ctx: Context) -> Result:
    """A follow-up with nothing to follow: ask which program, offering the likely ones."""
    aspect = ctx.args.get("aspect") or "overview"
    track = (ctx.profile or {}).get("track")
    options = list(ctx.args.get("options") or [])
    if not options and track:
        options = [p.id for p in ctx.catalog.open_programs(track, ctx.now.date())[:5]]
    if aspect == "eligibility" and not options:
        return Result(details.registration(ctx), after_answer(ctx, "agro", "creative", "smart"))
    lines = [ctx.say("detail.which", what=ctx.say(f"aspect.{aspect}"))]
    lines += [f"{n}. {ctx.name(ctx.catalog.program(i))}" for n, i in enumerate(options, 1)]
    if not options:
        lines.append(ctx.say("detail.which_track"))
    state = ctx.keep(prompt=WhichProgram(options=tuple(options), aspect=aspect))
    choices = after_answer(ctx, "agro", "creative", "smart", "funding")
    return Result([Text("\n".join(lines))], choices, state=state)
