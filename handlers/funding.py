"""Funding options whose window is open today, from config/programs.yml (kind: funding)."""

from handlers.base import Context, Result, Text
from handlers.menu import after_answer


def handle(ctx: Context) -> Result:
    funds = ctx.data.funding(ctx.now.date())
    if not funds:
        return Result([ctx.text("funding.none")], after_answer(ctx, "contact", "human"))
    en = ctx.lang == "en"
    lines = [ctx.say("funding.intro")]
    lines += [
        ctx.say("funding.item", name=f.name_en if en else f.name_th, summary=f.summary_en if en else f.summary_th)
        for f in funds
    ]
    lines.append(ctx.say("funding.outro"))
    return Result([Text("\n".join(lines))], after_answer(ctx, "contact", "register", "human"))
