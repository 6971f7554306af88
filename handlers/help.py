"""The menu: numbered, so a typed "3" picks item 3 where quick replies do not show (LINE for PC)."""

from domain.context import Context, Result
from domain.menus import main_menu
from domain.prompts import Menu


def handle(ctx: Context) -> Result:
    return Result([ctx.text("help.menu")], main_menu(ctx), state=ctx.keep(prompt=Menu()))
