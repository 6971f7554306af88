"""follow: welcome, what the bot does, a short privacy notice; unfollow: marked inactive."""

from domain.context import Context, Result
from domain.effects import UpdateUser
from domain.menus import main_menu
from domain.replies import Text


def follow(ctx: Context) -> Result:
    welcome = "follow.welcome_back" if ctx.incoming.unblocked else "follow.welcome"
    return Result(
        [ctx.text(welcome), Text(ctx.notice.text("short", ctx.lang))],
        main_menu(ctx),
        effects=[UpdateUser({"following": True})],
    )


def unfollow(ctx: Context) -> Result:
    return Result(effects=[UpdateUser({"following": False})])
