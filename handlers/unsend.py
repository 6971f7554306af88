"""unsend: any stored copy of that message is deleted (by the dispatcher); nothing is sent."""

from domain.context import Context, Result


def handle(ctx: Context) -> Result:
    return Result()
