from handlers.base import Context, Result
from handlers.menu import main_menu


def handle(ctx: Context) -> Result:
    had = bool(ctx.extra.get("pending_prompt")) or "form" in ctx.state or bool(ctx.draft)
    state = {k: v for k, v in ctx.state.items() if k not in ("prompt", "form")}
    return Result(
        [ctx.text("cancel.done" if had else "cancel.nothing")], main_menu(ctx), state=state, clear_draft=bool(ctx.draft)
    )
