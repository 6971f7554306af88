"""Stickers, images, video, audio and files: a friendly answer with the menu."""

from handlers.base import Context, Result
from handlers.menu import main_menu


def handle(ctx: Context) -> Result:
    key = "media.sticker" if ctx.incoming.kind == "sticker" else "media.other"
    return Result([ctx.text(key)], main_menu(ctx))
