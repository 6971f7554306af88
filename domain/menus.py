"""Shared quick-reply sets: every answer ends with a way forward."""

from __future__ import annotations

from typing import Any

from domain.replies import Choice

MAIN = ("agro", "creative", "smart", "mentor", "register", "funding", "contact", "human")
# `help.menu` numbers these 1-8, so a typed "3" works where quick replies do not show (PC).


def main_menu(ctx: Any) -> list[Choice]:
    return [ctx.choice(k) for k in MAIN]


def after_answer(ctx: Any, *keys: str) -> list[Choice]:
    """A short set: what fits next, then the menu."""
    return [ctx.choice(k) for k in keys if k != "menu"] + [ctx.choice("menu")]
