from handlers.base import Context, Result
from handlers.menu import main_menu


def handle(ctx: Context) -> Result:
    return Result([ctx.text("out_of_scope.reply")], main_menu(ctx))
