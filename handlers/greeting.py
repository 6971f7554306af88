from handlers.base import Context, Result
from handlers.menu import main_menu


def handle(ctx: Context) -> Result:
    return Result([ctx.text("greeting.hello")], main_menu(ctx))
