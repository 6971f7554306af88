"""unsend: delete any stored copy of that message (done by the dispatcher); send nothing."""

from handlers.base import Context, Result


def handle(ctx: Context) -> Result:
    return Result()
