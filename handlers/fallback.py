"""Only for input nothing else can route; it offers choices and feeds the review list."""

from domain.context import Context, Result
from domain.effects import Review
from domain.menus import main_menu


def handle(ctx: Context) -> Result:
    return Result([ctx.text("fallback.reply")], main_menu(ctx), effects=[Review("fallback")])


def error(ctx: Context) -> Result:
    """Something failed while understanding or answering: a kind answer with the menu."""
    return Result([ctx.text("error.sorry")], main_menu(ctx))
