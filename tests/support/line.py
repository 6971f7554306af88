"""Webhook bodies as LINE sends them, signed for real with the channel secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import time
from typing import Any

_n = itertools.count(1)
T0 = int(time.time() * 1000)
_last = [T0]


def now_ms() -> int:
    """LINE timestamps (ms): the real time, strictly increasing, so reply tokens are fresh."""
    _last[0] = max(_last[0] + 1, int(time.time() * 1000))
    return _last[0]


def uid(n: int) -> str:
    return "U" + f"{n:032x}"


def sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event(kind: str, user: str, ts: int | None = None, **fields: Any) -> dict[str, Any]:
    n = next(_n)
    ev: dict[str, Any] = {
        "type": kind,
        "mode": "active",
        "timestamp": ts if ts is not None else now_ms(),
        "source": {"type": "user", "userId": user},
        "webhookEventId": f"01TEST{n:020d}",
        "deliveryContext": {"isRedelivery": False},
    }
    if kind not in ("unfollow", "leave", "unsend"):
        ev["replyToken"] = f"reply{n:027d}"
    ev.update(fields)
    return ev


def text(user: str, body: str, **kw: Any) -> dict[str, Any]:
    return event("message", user, message={"type": "text", "id": str(next(_n)), "quoteToken": "q", "text": body}, **kw)


def body_of(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "U" + "f" * 32, "events": list(events)}, ensure_ascii=False).encode()
