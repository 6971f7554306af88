"""Only for input nothing else can route; it offers choices and feeds the review list."""

from handlers.base import Context, Result
from handlers.menu import main_menu


def handle(ctx: Context) -> Result:
    return Result([ctx.text("fallback.reply")], main_menu(ctx), review=True)
