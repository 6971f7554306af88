"""Translate at the edge (STYLE.md 3): a LINE webhook event becomes a frozen `Incoming`."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from domain.incoming import MEDIA, Incoming

__all__ = ["Incoming", "parse_event"]


def parse_event(ev: dict[str, Any]) -> Incoming:
    src = ev.get("source") or {}
    chat_type = src.get("type", "user")
    user_id = src.get("userId")
    chat_id = src.get("groupId") or src.get("roomId") or user_id or ""
    base: dict[str, Any] = dict(
        event_id=str(ev.get("webhookEventId", "")),
        user_id=user_id,
        chat_id=chat_id,
        chat_type=chat_type if chat_type in ("user", "group", "room") else "user",
        reply_token=ev.get("replyToken"),
        timestamp=int(ev.get("timestamp") or 0),
        standby=ev.get("mode") == "standby",
        redelivery=bool((ev.get("deliveryContext") or {}).get("isRedelivery")),
    )
    etype = ev.get("type")
    if etype == "message":
        return _message(ev.get("message") or {}, base)
    if etype == "postback":
        pb = ev.get("postback") or {}
        data = dict(parse_qsl(str(pb.get("data", "")), keep_blank_values=True))
        data.update({f"param_{k}": str(v) for k, v in (pb.get("params") or {}).items()})
        return Incoming(kind="postback", data=data, **base)
    if etype == "follow":
        unblocked = bool((ev.get("follow") or {}).get("isUnblocked"))
        return Incoming(kind="follow", unblocked=unblocked, **base)
    if etype == "unsend":
        return Incoming(kind="unsend", message_id=(ev.get("unsend") or {}).get("messageId"), **base)
    if etype in ("unfollow", "join"):
        return Incoming(kind=etype, **base)
    return Incoming(kind="other", **base)


def _message(msg: dict[str, Any], base: dict[str, Any]) -> Incoming:
    mtype = msg.get("type")
    mid = msg.get("id")
    if mtype == "text":
        mentionees = (msg.get("mention") or {}).get("mentionees") or []
        mentioned = any(m.get("isSelf") for m in mentionees if isinstance(m, dict))
        return Incoming(kind="text", text=str(msg.get("text", "")), message_id=mid, mentioned=mentioned, **base)
    if mtype == "location":
        return Incoming(
            kind="location",
            message_id=mid,
            latitude=_float(msg.get("latitude")),
            longitude=_float(msg.get("longitude")),
            address=str(msg.get("address") or msg.get("title") or ""),
            **base,
        )
    if mtype == "sticker":
        return Incoming(kind="sticker", message_id=mid, **base)
    if mtype in MEDIA:
        return Incoming(kind="media", media_type=mtype, message_id=mid, **base)
    return Incoming(kind="other", message_id=mid, **base)


def _float(v: Any) -> float | None:
    try:
        return float(v)
    except (TypeError, ValueError):
        return None
