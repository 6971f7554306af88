"""follow: welcome, what the bot does, a short privacy notice; unfollow: marked inactive."""

from handlers.base import Context, Result, Text
from handlers.menu import main_menu


def handle(ctx: Context) -> Result:
    if ctx.incoming.kind == "unfollow":
        return Result(user={"following": False})
    welcome = "follow.welcome_back" if ctx.incoming.unblocked else "follow.welcome"
    return Result(
        [ctx.text(welcome), Text(ctx.notice.text("short", ctx.lang))],
        main_menu(ctx),
        user={"following": True},
    )
