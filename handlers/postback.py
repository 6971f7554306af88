"""Postback payloads. Old or unknown buttons get a polite answer, never silence."""

from domain.context import Context, Result
from domain.menus import main_menu


def expired(ctx: Context) -> Result:
    return Result([ctx.text("postback.expired")], main_menu(ctx))
