"""Stop announcements (opt-out is operational data); "รับข่าวสาร" turns them back on."""

from handlers.base import Context, Result
from handlers.menu import after_answer


def handle(ctx: Context) -> Result:
    if ctx.extra.get("resubscribe"):
        return Result(
            [ctx.text("unsubscribe.resubscribed")],
            after_answer(ctx, "agro", "creative", "smart"),
            user={"opted_out": False},
        )
    return Result([ctx.text("unsubscribe.done")], after_answer(ctx, "resubscribe"), user={"opted_out": True})
