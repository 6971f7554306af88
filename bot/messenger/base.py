"""What every messenger does the same: the first five messages by reply (push when the reply
token cannot be used), the rest by push, in order, each push with a retry key derived from the
event, so a retry, a redelivery or a re-run can never deliver it twice.

A reply is marked "started" before it is sent: a re-run after a crash that finds the mark takes
"Invalid reply token" to mean the earlier run delivered it (facts/LINE.md: LINE gives that
answer for a used token too), and never pushes it again; without the mark, the token was never
used and an expired one means push.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MAX_MESSAGES = 5  # per reply or push request
KEYS = uuid.UUID("6f4f2a9e-1d0b-4c47-9c6e-3b1e0d2a7f55")  # namespace of derived retry keys


class QuotaExceeded(Exception):
    """LINE's monthly message limit: retrying will not help until next month."""


class DeliveryFailed(Exception):
    """LINE did not accept a push before PUSH_RETRY_SECONDS: the event is tried again later."""


def batches(messages: list[dict[str, Any]], size: int = MAX_MESSAGES) -> list[list[dict[str, Any]]]:
    return [messages[i : i + size] for i in range(0, len(messages), size)]


def retry_key(event_id: str, n: int) -> str:
    """The n-th push of an event always carries the same X-Line-Retry-Key (a UUIDv5)."""
    return str(uuid.uuid5(KEYS, f"{event_id}:{n}"))


@dataclass
class Sending:
    """One event's sending: its ID, the reply token's deadline, and the reply's marks."""

    event_id: str
    deadline: float = float("inf")  # epoch seconds after which the reply token is not used
    mark: Callable[[str], None] = lambda value: None  # store "started" for the reply
    marked: str | None = None  # the reply's mark from an earlier run of this event

    def key(self, n: int) -> str:
        """Part n of the answer is push n; pushes to others (staff) are 100, 101, ..."""
        return retry_key(self.event_id, n)


class BaseMessenger:
    def reply(self, chat_id: str, reply_token: str, messages: list[dict[str, Any]], sending: Sending) -> bool:
        """Send by reply; True when delivered (or known delivered), False to fall back to push."""
        raise NotImplementedError

    def push(self, to: str, messages: list[dict[str, Any]], key: str) -> None:
        raise NotImplementedError

    def loading(self, chat_id: str, seconds: int = 20) -> None:
        """LINE's typing animation in a 1:1 chat while a slow answer is prepared."""

    def deliver(
        self, chat_id: str, reply_token: str | None, messages: list[dict[str, Any]], sending: Sending | None = None
    ) -> None:
        """The first five by reply (push when the reply cannot be used), the rest by push, in order.
        A quick reply stays on the very last message (only the last one's shows)."""
        parts = batches(messages)
        if not parts:
            return
        sending = sending or Sending(event_id=str(uuid.uuid4()))
        first = parts[0]
        if sending.marked == "done":
            pass  # an earlier run of this event delivered the reply
        elif reply_token and time.time() < sending.deadline and self.reply(chat_id, reply_token, first, sending):
            pass
        else:
            self.push(chat_id, first, sending.key(0))
        for n, part in enumerate(parts[1:], 1):
            self.push(chat_id, part, sending.key(n))
