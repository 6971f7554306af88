"""Shared quick-reply sets: every answer ends with a way forward."""

from __future__ import annotations

from handlers.base import Choice, Context

MAIN = ("agro", "creative", "smart", "mentor", "register", "funding", "contact", "human")
# `help.menu` numbers these 1-8, so a typed "3" works where quick replies do not show (PC).
MENU_NUMBERS = {str(i): key for i, key in enumerate(MAIN, start=1)}


def main_menu(ctx: Context) -> list[Choice]:
    return [ctx.choice(k) for k in MAIN]


def after_answer(ctx: Context, *keys: str) -> list[Choice]:
    """A short set: what fits next, then the menu."""
    return [ctx.choice(k) for k in keys] + [ctx.choice("menu")]
