"""User-ID hashing and masking: auxiliary keys and logs never hold a full LINE user ID."""

from __future__ import annotations

import hashlib
import hmac


def user_key(hash_key: bytes, chat_id: str) -> str:
    """A stable, non-reversible key for a user (or group/room) ID, used in Redis key names."""
    return hmac.new(hash_key, chat_id.encode(), hashlib.sha256).hexdigest()[:32]


def mask(chat_id: str | None) -> str:
    """`U1234…cdef` style: enough to tell users apart in a log, not enough to message them."""
    if not chat_id:
        return "-"
    return f"{chat_id[:3]}…{chat_id[-4:]}" if len(chat_id) > 8 else "***"
