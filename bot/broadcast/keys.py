"""The names of a broadcast's keys in Redis (bot/store/base.py KEYS lists them), and the retry key
of each of its batches."""

from __future__ import annotations

import uuid

NAMESPACE = uuid.UUID("0b5e3c1a-7d2f-4e8b-9a61-c4d0f2b7e913")  # of the batches' retry keys


def record_key(bid: str) -> str:
    return f"dip:bc:{bid}"


def to_key(bid: str) -> str:
    return f"dip:bcto:{bid}"


def log_key(bid: str) -> str:
    return f"dip:bcb:{bid}"


def lease_key(bid: str) -> str:
    return f"dip:bclease:{bid}"


def retry_key(bid: str, i: int) -> str:
    """Batch i of a broadcast always carries this X-Line-Retry-Key, whoever sends it."""
    return str(uuid.uuid5(NAMESPACE, f"{bid}:{i}"))
