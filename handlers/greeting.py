from domain.context import Context, Result
from domain.menus import main_menu


def handle(ctx: Context) -> Result:
    return Result([ctx.text("greeting.hello")], main_menu(ctx))
