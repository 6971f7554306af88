"""`make chat`: talk to the bot in the terminal, through the same dispatcher as LINE.

Quick replies are shown numbered; typing the number sends that item, as tapping would.
/follow, /sticker, /image, /location LAT,LON, /quit.
"""

from __future__ import annotations

import itertools
import json
import sys
import time
from typing import Any

from bot.messenger import CollectingMessenger

USER = "U" + "0" * 31 + "1"
_ids = itertools.count(1)


def local_event(user: str, kind: str, event_id: str, reply_token: str, **fields: Any) -> dict[str, Any]:
    """A webhook event as LINE would send it, made here (this chat, the console's simulator)."""
    return {
        "type": kind,
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": event_id,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": reply_token,
        **fields,
    }


def event(kind: str, **fields: Any) -> dict[str, Any]:
    n = next(_ids)
    return local_event(USER, kind, f"chat{n:022d}", f"chat-reply-{n}", **fields)


def parse_line(line: str) -> dict[str, Any] | None:
    if line == "/follow":
        return event("follow", follow={"isUnblocked": False})
    if line == "/sticker":
        return event("message", message={"type": "sticker", "id": "1", "packageId": "446", "stickerId": "1988"})
    if line == "/image":
        return event("message", message={"type": "image", "id": "2"})
    if line.startswith("/location"):
        lat, _, lon = line.removeprefix("/location").strip().partition(",")
        return event(
            "message", message={"type": "location", "id": "3", "latitude": float(lat), "longitude": float(lon)}
        )
    return event("message", message={"type": "text", "id": "4", "text": line}) if line else None


def flex_lines(contents: dict[str, Any]) -> list[str]:
    """One line per card: its texts joined, long ones cut (a terminal is not a phone)."""
    bubbles = contents.get("contents", []) if contents.get("type") == "carousel" else [contents]
    lines = []
    for n, b in enumerate(bubbles, 1):
        texts = [t for t in _texts(b) if t]
        lines.append(f"[card {n}] " + " · ".join(texts[1:2] + texts[-1:]))
    return lines


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        if node.get("type") == "text":
            return [node["text"]]
        return [t for k in ("header", "body", "contents") if k in node for t in _texts(node[k])]
    if isinstance(node, list):
        return [t for child in node for t in _texts(child)]
    return []


def show(messages: list[dict[str, Any]], out: Any = sys.stdout) -> list[dict[str, Any]]:
    quick: list[dict[str, Any]] = []
    for m in messages:
        if m["type"] == "text":
            print(f"bot> {m['text']}", file=out)
        elif m["type"] == "flex":
            print("bot> " + "\n     ".join(flex_lines(m["contents"])), file=out)
        quick = [i["action"] for i in m.get("quickReply", {}).get("items", [])] or quick
    if quick:
        print("     " + "  ".join(f"[{n}] {a['label']}" for n, a in enumerate(quick, 1)), file=out)
    return quick


def main() -> int:
    from bot.app import build_dispatcher, settings_or_exit, setup_logging
    from bot.store.memory import MemoryStore

    settings = settings_or_exit()
    setup_logging("WARNING")
    messenger = CollectingMessenger()
    print("กำลังโหลดตัวเข้าใจภาษา… (Ctrl-D หรือ /quit เพื่อออก)")
    dispatcher = build_dispatcher(settings, MemoryStore(), messenger)
    quick: list[dict[str, Any]] = []
    for message in [parse_line("/follow")]:
        dispatcher.process(json.dumps(message))
    quick = show([m for _, _, ms in messenger.take() for m in ms])
    while True:
        try:
            line = input("you> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line == "/quit":
            return 0
        if line.isdigit() and quick and 1 <= int(line) <= len(quick):
            action = quick[int(line) - 1]
            line = "/location 13.7563,100.5018" if action["type"] == "location" else action["text"]
            print(f"you> {line}")
        ev = parse_line(line)
        if ev is None:
            continue
        dispatcher.process(json.dumps(ev, ensure_ascii=False))
        sent = messenger.take()
        quick = show([m for _, _, ms in sent for m in ms]) or []
        if not sent:
            print("bot> (เงียบ: เจ้าหน้าที่กำลังดูแลแชทนี้)")
