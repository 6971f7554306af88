"""Every field of a webhook event checked in one place (spec/webhook.yml, facts/LINE.md).

`check(event)` returns None for an event the bot can use, or the reason it is malformed. A
malformed event is skipped and logged with its ID; it never blocks the other events of the same
body. Unknown event types are valid (LINE adds types): the router sends nothing for them.
"""

from __future__ import annotations

import re
from typing import Any

CHAT_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
EVENT_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
MESSAGE_TYPES = {"text", "image", "video", "audio", "file", "location", "sticker"}
SOURCE_TYPES = {"user": "userId", "group": "groupId", "room": "roomId"}
MAX_TEXT = 20_000  # LINE sends at most 5,000; anything longer is not LINE


def check(ev: Any) -> str | None:
    if not isinstance(ev, dict):
        return "event is not an object"
    etype = ev.get("type")
    if not isinstance(etype, str) or not etype:
        return "type missing"
    if not isinstance(ev.get("webhookEventId"), str) or not EVENT_ID.match(ev["webhookEventId"]):
        return "webhookEventId missing or malformed"
    ts = ev.get("timestamp")
    if not isinstance(ts, int) or isinstance(ts, bool) or ts < 0:
        return "timestamp missing or not a whole number"
    if ev.get("mode", "active") not in ("active", "standby"):
        return "mode unknown"
    if (problem := _source(ev.get("source"))) is not None:
        return problem
    token = ev.get("replyToken")
    if token is not None and (not isinstance(token, str) or not 0 < len(token) <= 256):
        return "replyToken malformed"
    if not isinstance(ev.get("deliveryContext", {}), dict):
        return "deliveryContext is not an object"
    if etype == "message":
        return _message(ev.get("message"))
    if etype == "postback":
        pb = ev.get("postback")
        if not isinstance(pb, dict) or not isinstance(pb.get("data"), str) or len(pb["data"]) > 1000:
            return "postback.data missing or too long"
        if not isinstance(pb.get("params", {}), dict):
            return "postback.params is not an object"
    if etype == "follow" and not isinstance(ev.get("follow", {}), dict):
        return "follow is not an object"
    unsend = ev.get("unsend")
    if etype == "unsend" and not (isinstance(unsend, dict) and isinstance(unsend.get("messageId"), str)):
        return "unsend.messageId missing"
    return None


def _source(src: Any) -> str | None:
    if not isinstance(src, dict):
        return "source missing"
    kind = src.get("type")
    key = SOURCE_TYPES.get(kind) if isinstance(kind, str) else None  # a list here is not hashable
    if key is None:
        return "source.type unknown"
    if not isinstance(src.get(key), str) or not CHAT_ID.match(src[key]):
        return f"source.{key} missing or malformed"
    user = src.get("userId")
    if user is not None and (not isinstance(user, str) or not CHAT_ID.match(user)):
        return "source.userId malformed"
    return None


def _message(msg: Any) -> str | None:
    if not isinstance(msg, dict):
        return "message missing"
    mtype = msg.get("type")
    if not isinstance(mtype, str):
        return "message.type missing"
    if not isinstance(msg.get("id", ""), str):
        return "message.id is not text"
    if mtype == "text":
        text = msg.get("text")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            return "message.text missing or too long"
        mention = msg.get("mention")
        if mention is not None and not (isinstance(mention, dict) and isinstance(mention.get("mentionees", []), list)):
            return "message.mention malformed"
    if mtype == "location":
        for field in ("latitude", "longitude"):
            v = msg.get(field)
            if not isinstance(v, int | float) or isinstance(v, bool):
                return f"message.{field} is not a number"
    return None
