"""A bot in a test: the real factory, webhook and dispatcher, with a frozen clock, a
collecting messenger and a queue that tests drain deterministically."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.app import build_dispatcher, create_app
from bot.events.memory import ManualQueue
from bot.messenger import CollectingMessenger
from bot.settings import DEV_CHANNEL_SECRET, load_settings
from bot.store.memory import MemoryStore
from domain.clock import BANGKOK, FrozenClock
from tests.support import line

# A Wednesday at 10:00 in Bangkok: inside office hours.
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=BANGKOK)


class Bot:
    def __init__(self, classify: Any, store: Any = None, staff: str = "", now: datetime = NOW) -> None:
        self.settings = load_settings(STAFF_USER_IDS=staff, _env_file=None)
        self.store = store or MemoryStore()
        self.clock = FrozenClock(now)
        self.messenger = CollectingMessenger()
        self.dispatcher = build_dispatcher(self.settings, self.store, self.messenger, self.clock, classify)
        self.queue = ManualQueue(self.dispatcher.process)
        app = create_app({"settings": self.settings, "store": self.store, "queue": self.queue})
        self.client = app.test_client()

    def post(self, *events: dict[str, Any], secret: str = DEV_CHANNEL_SECRET, signature: str | None = None) -> Any:
        body = line.body_of(*events)
        sig = signature if signature is not None else line.sign(secret, body)
        headers = {"X-Line-Signature": sig} if sig else {}
        return self.client.post("/callback", data=body, headers=headers, content_type="application/json")

    def send(self, *events: dict[str, Any]) -> list[dict[str, Any]]:
        """Deliver events through the webhook, run the worker, return what LINE was asked to send."""
        resp = self.post(*events)
        assert resp.status_code == 200, resp.data
        self.queue.run()
        return [m for _, _, msgs in self.messenger.take() for m in msgs]

    def say(self, user: str, text: str) -> list[dict[str, Any]]:
        return self.send(line.text(user, text))

    def sent(self) -> list[tuple[str, str, list[dict[str, Any]]]]:
        return self.messenger.take()


def texts(messages: list[dict[str, Any]]) -> str:
    """Everything a person would read: texts, and every text inside Flex cards."""
    out: list[str] = []
    for m in messages:
        if m["type"] == "text":
            out.append(m["text"])
        elif m["type"] == "flex":
            out.append(m["altText"])
            out.append(json.dumps(m["contents"], ensure_ascii=False))
    return "\n".join(out)


def quick_labels(messages: list[dict[str, Any]]) -> list[str]:
    if not messages or "quickReply" not in messages[-1]:
        return []
    return [i["action"]["label"] for i in messages[-1]["quickReply"]["items"]]


def quick_texts(messages: list[dict[str, Any]]) -> list[str]:
    """What tapping each quick reply sends."""
    if not messages or "quickReply" not in messages[-1]:
        return []
    return [i["action"].get("text", "") for i in messages[-1]["quickReply"]["items"]]
