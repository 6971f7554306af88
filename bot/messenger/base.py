"""What every messenger does the same: at most 5 messages a request, the rest by push."""

from __future__ import annotations

from typing import Any

MAX_MESSAGES = 5  # per reply or push request


class QuotaExceeded(Exception):
    """LINE's monthly message limit: retrying will not help until next month."""


def batches(messages: list[dict[str, Any]], size: int = MAX_MESSAGES) -> list[list[dict[str, Any]]]:
    return [messages[i : i + size] for i in range(0, len(messages), size)]


class BaseMessenger:
    def reply(self, chat_id: str, reply_token: str, messages: list[dict[str, Any]]) -> bool:
        """Send by reply; True when delivered (or taken as delivered), False to fall back."""
        raise NotImplementedError

    def push(self, to: str, messages: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def deliver(self, chat_id: str, reply_token: str | None, messages: list[dict[str, Any]]) -> None:
        """The first five by reply (push when the reply could not be used), the rest by push,
        in order. A quick reply stays on the very last message (only the last one's shows)."""
        parts = batches(messages)
        if not parts:
            return
        first, rest = parts[0], parts[1:]
        if not (reply_token and self.reply(chat_id, reply_token, first)):
            self.push(chat_id, first)
        for part in rest:
            self.push(chat_id, part)
