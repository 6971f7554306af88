from handlers.base import Context, Result
from handlers.programs import track_answer


def handle(ctx: Context) -> Result:
    return track_answer(ctx, "agro")
