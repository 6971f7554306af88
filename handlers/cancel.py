"""ยกเลิก: in the form, ask to pause (keep the draft) or discard; elsewhere drop the question."""

from domain.context import Context, Result
from domain.menus import main_menu
from domain.prompts import CancelForm


def handle(ctx: Context) -> Result:
    if ctx.state.form is not None:
        return Result(
            [ctx.text("cancel.form_ask")],
            [ctx.choice("pause"), ctx.choice("discard")],
            state=ctx.keep(prompt=CancelForm()),
        )
    had = ctx.asked is not None
    return Result([ctx.text("cancel.done" if had else "cancel.nothing")], main_menu(ctx))
