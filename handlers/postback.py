"""Postback payloads. Old or unknown buttons get a polite answer, never silence."""

from handlers.base import Context, Result
from handlers.menu import main_menu


def expired(ctx: Context) -> Result:
    return Result([ctx.text("postback.expired")], main_menu(ctx))
