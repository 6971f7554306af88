from handlers.base import Context, Result
from handlers.menu import main_menu


def handle(ctx: Context) -> Result:
    return Result([ctx.text("help.menu")], main_menu(ctx), state=_menu_state(ctx))


def _menu_state(ctx: Context) -> dict:
    """Remember that a numbered menu is on screen, so a typed "3" picks item 3."""
    return {**ctx.state, "prompt": {"kind": "menu"}}
