"""FAQ answers (config/faq.yml): the best entry with its source; two or three close entries
to pick from; or, when nothing fits, a plain "the bot does not know" with the user's center
and an offer of a person, and the question goes to the review list with its candidates."""

from __future__ import annotations

from domain.context import Context, Result
from domain.details import whom
from domain.effects import Review
from domain.menus import after_answer
from domain.prompts import FaqChoice
from domain.replies import Choice, Text
from domain.state import Topic


def label(ctx: Context, entry: object) -> str:
    return str(getattr(entry, "label_en" if ctx.lang == "en" else "label_th"))


def answer(ctx: Context) -> Result:
    e = ctx.catalog.faq.by_id[ctx.args["id"]]
    parts = [e.answer_en if ctx.lang == "en" else e.answer_th]
    if e.source_url:
        parts.append(ctx.say("faq.source", url=e.source_url))
    programs = tuple(p for p in e.programs if ctx.catalog.program(p))
    state = ctx.state
    if programs:  # "ต้องใช้เอกสารอะไร" next is about the program this answer was about
        old = ctx.topic
        topic = Topic(
            at=ctx.now.isoformat(),
            track=old.track if old else None,
            programs=programs,
            program=programs[0] if len(programs) == 1 else None,
            province=old.province if old else None,
        )
        state = ctx.keep(topic=topic)
    return Result([Text("\n".join(parts))], after_answer(ctx, "contact", "human"), state=state)


def choices(ctx: Context) -> Result:
    ids = [i for i in ctx.args["ids"] if i in ctx.catalog.faq.by_id][:3]
    entries = [ctx.catalog.faq.by_id[i] for i in ids]
    lines = [ctx.say("faq.pick")]
    lines += [f"{n}. {label(ctx, e)}" for n, e in enumerate(entries, 1)]
    picks = [Choice(label=label(ctx, e), text=label(ctx, e)) for e in entries]
    state = ctx.keep(prompt=FaqChoice(options=tuple(ids)))
    return Result([Text("\n".join(lines))], [*picks, ctx.choice("human")], state=state)


def unknown(ctx: Context) -> Result:
    """Nothing in the FAQ or the catalog fits: say so, with who can answer."""
    candidates = tuple(ctx.args.get("candidates") or ())
    text = ctx.say("faq.unknown", whom=whom(ctx))
    return Result([Text(text)], after_answer(ctx, "human", "contact"), effects=[Review("unknown", candidates)])
