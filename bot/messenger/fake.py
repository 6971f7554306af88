"""Messengers that send nothing: the console printer (local mode) and the collector (tests)."""

from __future__ import annotations

import json
import sys
import threading
from typing import Any, TextIO

from bot.ids import mask
from bot.messenger.base import BaseMessenger, Sending


class ConsoleMessenger(BaseMessenger):
    """Local mode: one JSON line per LINE request the bot would make, user IDs masked."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self._lock = threading.Lock()

    def _print(self, record: dict[str, Any]) -> None:
        with self._lock:
            print(json.dumps(record, ensure_ascii=False), file=self.out, flush=True)

    def reply(self, chat_id: str, reply_token: str, messages: list[dict[str, Any]], sending: Sending) -> bool:
        self._print({"api": "POST /v2/bot/message/reply", "replyToken": reply_token[:6] + "…", "messages": messages})
        return True

    def push(self, to: str, messages: list[dict[str, Any]], key: str) -> None:
        self._print({"api": "POST /v2/bot/message/push", "to": mask(to), "retryKey": key, "messages": messages})

    def multicast(self, to: list[str], messages: list[dict[str, Any]], key: str, unit: str | None = None) -> None:
        self._print({"api": "POST /v2/bot/message/multicast", "to": f"{len(to)} users", "messages": messages})


class CollectingMessenger(BaseMessenger):
    """Tests and `make chat`: keep what each chat would see, in order (and each push's retry key)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, list[dict[str, Any]]]] = []  # (api, target, messages)
        self.keys: list[str] = []
        self._lock = threading.Lock()

    def reply(self, chat_id: str, reply_token: str, messages: list[dict[str, Any]], sending: Sending) -> bool:
        with self._lock:
            self.sent.append(("reply", chat_id, messages))
        return True

    def push(self, to: str, messages: list[dict[str, Any]], key: str) -> None:
        with self._lock:
            self.sent.append(("push", to, messages))
            self.keys.append(key)

    def multicast(self, to: list[str], messages: list[dict[str, Any]], key: str, unit: str | None = None) -> None:
        with self._lock:
            for user in to:
                self.sent.append(("multicast", user, messages))
            self.keys.append(key)

    def seen_by(self, chat_id: str) -> list[dict[str, Any]]:
        return [m for _, target, msgs in self.sent if target == chat_id for m in msgs]

    def take(self) -> list[tuple[str, str, list[dict[str, Any]]]]:
        with self._lock:
            out, self.sent = self.sent, []
        return out
