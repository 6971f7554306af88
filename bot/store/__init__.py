"""State behind a small interface with explicit saves (STYLE.md 6): memory and Redis."""

from bot.store.base import KEYS, Store

__all__ = ["KEYS", "Store"]
