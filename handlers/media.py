"""Stickers, images, video, audio and files: a friendly answer with the menu."""

from domain.context import Context, Result
from domain.menus import main_menu


def handle(ctx: Context) -> Result:
    key = "media.sticker" if ctx.incoming.kind == "sticker" else "media.other"
    return Result([ctx.text(key)], main_menu(ctx))
