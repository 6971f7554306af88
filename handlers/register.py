"""How to register; "สถานะของฉัน" shows where an application stands."""

from handlers.base import Context, Result
from handlers.menu import after_answer


def handle(ctx: Context) -> Result:
    if ctx.extra.get("status"):
        return Result([ctx.text("register.status_none")], after_answer(ctx, "contact", "register"))
    return Result([ctx.text("register.how")], after_answer(ctx, "agro", "creative", "smart", "contact"))
