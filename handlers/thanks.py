from domain.context import Context, Result
from domain.menus import after_answer


def handle(ctx: Context) -> Result:
    return Result([ctx.text("thanks.reply")], after_answer(ctx))
