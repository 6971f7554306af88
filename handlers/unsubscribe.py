"""Stop announcements (opt-out is operational data); "รับข่าวสาร" turns them back on."""

from domain.context import Context, Result
from domain.effects import UpdateUser
from domain.menus import after_answer


def stop(ctx: Context) -> Result:
    return Result(
        [ctx.text("unsubscribe.done")], after_answer(ctx, "resubscribe"), effects=[UpdateUser({"opted_out": True})]
    )


def resume(ctx: Context) -> Result:
    return Result(
        [ctx.text("unsubscribe.resubscribed")],
        after_answer(ctx, "agro", "creative", "smart"),
        effects=[UpdateUser({"opted_out": False})],
    )
