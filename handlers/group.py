"""Group and room chats: public answers only; personal flows move to a 1:1 chat."""

from domain.context import Context, Result


def joined(ctx: Context) -> Result:
    return Result([ctx.text("group.joined")])


def private(ctx: Context) -> Result:
    return Result([ctx.text("group.private")])
