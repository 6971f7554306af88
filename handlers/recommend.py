""" "โครงการที่เหมาะกับฉัน": matched programs with reasons; needs a profile (after registering)."""

from domain.context import Context, Result
from domain.guidance import recommended, registered
from domain.menus import after_answer


def handle(ctx: Context) -> Result:
    if not registered(ctx.profile):
        return Result([ctx.text("match.need_profile")], [ctx.choice("start"), *after_answer(ctx, "agro", "creative")])
    messages, topic = recommended(ctx, ctx.profile or {})
    state = ctx.keep(topic=topic) if topic else None
    return Result(messages, after_answer(ctx, "mentor_request", "funding", "status"), state=state)
