from handlers.base import Context, Result
from handlers.menu import after_answer


def handle(ctx: Context) -> Result:
    return Result([ctx.text("thanks.reply")], after_answer(ctx))
