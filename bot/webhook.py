"""The thin webhook (STYLE.md 2): verify, parse, dedupe + enqueue, answer. Nothing else.

No NLU, no SDK model building and no LINE call happen here: LINE wants a 2xx within 2 s and
the web process must stay small (facts/LINE.md, Webhook).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from bot.ids import user_key

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)
MAX_BODY = 1_000_000  # LINE's own bodies are far smaller; anything bigger is not LINE


def signature_ok(secret: str, body: bytes, signature: str | None) -> bool:
    """x-line-signature = base64(HMAC-SHA256(channel secret, raw body)), on the bytes received."""
    if not signature:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.strip().encode())


def chat_of(event: dict[str, Any]) -> str:
    src = event.get("source") or {}
    return str(src.get("groupId") or src.get("roomId") or src.get("userId") or "anonymous")


@bp.post("/callback")
def callback() -> tuple[str, int]:
    rt = current_app.extensions["dip"]
    if (request.content_length or 0) > MAX_BODY:
        return "body too large", 413
    body = request.get_data(cache=False)  # the raw bytes: never verify a re-encoded body
    if len(body) > MAX_BODY:
        return "body too large", 413
    if not signature_ok(rt.settings.channel_secret, body, request.headers.get("X-Line-Signature")):
        log.warning("webhook rejected: missing or invalid signature (%d bytes)", len(body))
        return "invalid signature", 400
    try:
        data = json.loads(body)
        events = data["events"]
        if not isinstance(events, list):
            raise TypeError("events is not a list")
    except (ValueError, KeyError, TypeError) as e:
        log.warning("webhook rejected: malformed body (%s)", type(e).__name__)
        return "malformed body", 400
    for event in events:
        if not isinstance(event, dict):
            continue
        event_id = event.get("webhookEventId") or hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()
        uh = user_key(rt.settings.hash_key, chat_of(event))
        payload = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
        try:
            accepted = rt.store.accept(str(event_id), uh, int(event.get("timestamp") or 0), payload, rt.schedule)
        except Exception:
            # Not stored, key undone: a 500 makes LINE redeliver (when redelivery is on).
            log.exception("could not enqueue event %s", event_id)
            return "try again", 500
        if not accepted:
            log.info("duplicate event %s ignored", event_id)
    return "OK", 200


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    rt = current_app.extensions["dip"]
    ok = rt.store.ping()
    body = jsonify(
        ready=ok,
        mode=rt.settings.mode,
        store="memory" if rt.settings.embedded else "redis",
        redis="n/a" if rt.settings.embedded else ("ok" if ok else "unreachable"),
    )
    return body, 200 if ok else 503
