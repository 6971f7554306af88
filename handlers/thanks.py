from handlers.base import Context, Result


def handle(ctx: Context) -> Result:
    return Result([ctx.text("thanks.reply")])
