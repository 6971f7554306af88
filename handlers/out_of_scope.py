from domain.context import Context, Result
from domain.menus import main_menu


def handle(ctx: Context) -> Result:
    return Result([ctx.text("out_of_scope.reply")], main_menu(ctx))
