"""The thin webhook (STYLE.md 2): verify, parse, validate, dedupe + append, answer. Nothing else.

No NLU, no SDK model building and no LINE call happen here: LINE wants a 2xx within 2 s and the
acknowledgement is measured (`make bench`). The body limit (MAX_BODY) applies while reading,
chunked bodies included, before anything is buffered. A malformed event is skipped and logged
with its ID; the others of the body are accepted. Only an unreachable queue gives a 5xx (500, so
LINE redelivers).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from bot.events.validate import EVENT_ID, check
from bot.ids import user_key

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)
MAX_BODY = 1_000_000  # LINE's own bodies are far smaller; anything bigger is not LINE


def signature_ok(secret: str, body: bytes, signature: str | None) -> bool:
    """x-line-signature = base64(HMAC-SHA256(channel secret, raw body)), on the bytes received."""
    if not signature:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return hmac.compare_digest(base64.b64encode(digest), signature.strip().encode("utf-8", "replace"))


def chat_of(event: dict[str, Any]) -> str:
    src = event.get("source") or {}
    return str(src.get("groupId") or src.get("roomId") or src.get("userId"))


@bp.post("/callback")
def callback() -> tuple[str, int]:
    started = time.perf_counter()
    rt = current_app.extensions["dip"]
    body = request.get_data(cache=False)  # the raw bytes (413 past MAX_CONTENT_LENGTH, chunked too)
    if not signature_ok(rt.settings.channel_secret, body, request.headers.get("X-Line-Signature")):
        return _done(rt, "forged", started, "invalid signature", 400)
    try:
        events = json.loads(body)["events"]
        if not isinstance(events, list):
            raise TypeError("events is not a list")
    except (ValueError, KeyError, TypeError) as e:
        log.warning("webhook rejected: malformed body (%s)", type(e).__name__)
        return _done(rt, "malformed", started, "malformed body", 400)
    items = []
    for event in events:
        if (problem := check(event)) is not None:
            eid = event.get("webhookEventId") if isinstance(event, dict) else None
            log.warning("event %s skipped: %s", eid if isinstance(eid, str) and EVENT_ID.match(eid) else "-", problem)
            rt.metrics.skipped()
            continue
        uh = user_key(rt.settings.hash_key, chat_of(event))
        items.append((event["webhookEventId"], uh, json.dumps(event, ensure_ascii=False, separators=(",", ":"))))
    try:
        accepted = rt.queue.accept(items)
    except Exception:
        # Not stored: a 500 makes LINE redeliver (when redelivery is on); accepted ones are deduplicated.
        log.exception("could not enqueue %d events", len(items))
        return _done(rt, "error", started, "try again", 500)
    rt.metrics.duplicates(len(accepted) - sum(accepted))
    return _done(rt, "ok", started, "OK", 200)


def _done(rt: Any, outcome: str, started: float, body: str, status: int) -> tuple[str, int]:
    rt.metrics.webhook(outcome, time.perf_counter() - started)
    return body, status


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready means: the queue (Redis, or the embedded one) takes events. Mode and backlog are in /metrics."""
    ok = current_app.extensions["dip"].queue.ping()
    return jsonify(ready=ok), 200 if ok else 503
