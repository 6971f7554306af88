"""Funding options whose window is open today (config/programs.yml, kind: funding); a province
in the question adds the center where to apply."""

from domain.cards import center_line
from domain.context import Context, Result
from domain.menus import after_answer
from domain.replies import Message, Text
from domain.state import Topic


def handle(ctx: Context) -> Result:
    funds = ctx.catalog.funding(ctx.now.date())
    if not funds:
        return Result([ctx.text("funding.none")], after_answer(ctx, "contact", "human"))
    en = ctx.lang == "en"
    lines = [ctx.say("funding.intro")]
    lines += [
        ctx.say("funding.item", n=n, name=ctx.name(f), summary=f.summary_en if en else f.summary_th)
        for n, f in enumerate(funds, 1)
    ]
    lines.append(ctx.say("funding.outro"))
    messages: list[Message] = [Text("\n".join(lines))]
    province = ctx.entities.province
    if province:
        messages.append(center_line(ctx, province))
    topic = Topic(at=ctx.now.isoformat(), programs=tuple(f.id for f in funds), province=province)
    return Result(messages, after_answer(ctx, "contact", "register", "human"), state=ctx.keep(topic=topic))
