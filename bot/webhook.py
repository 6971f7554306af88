"""The thin webhook (STYLE.md 2): verify, parse, validate, dedupe + append, answer. Nothing else.

No NLU, no SDK model building and no LINE call happen here: LINE wants a 2xx within 2 s and the
acknowledgement is measured (`make bench`). The body limit (MAX_BODY) applies while reading,
chunked bodies included: never more than MAX_BODY + 1 bytes are read. A malformed event is skipped and logged
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

from flask import Blueprint, Response, current_app, jsonify

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


class Webhook:
    """POST /callback as a WSGI middleware in front of Flask's routing (the rest of the app stays
    Flask): the acknowledgement is measured, and Flask's per-request machinery is the largest
    cost left once Redis is one round trip. `create_app()` installs it as `app.wsgi_app`."""

    def __init__(self, flask_wsgi: Any, rt: Any) -> None:
        self.flask_wsgi, self.rt = flask_wsgi, rt

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != "/callback" or environ.get("REQUEST_METHOD") != "POST":
            return self.flask_wsgi(environ, start_response)
        started = time.perf_counter()
        body = _read(environ)
        if body is None:
            outcome, status, text = "too_large", 413, "body too large"
        else:
            outcome, status, text = handle(self.rt, body, environ.get("HTTP_X_LINE_SIGNATURE"))
        self.rt.metrics.webhook(outcome, time.perf_counter() - started)
        data = text.encode()
        headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(data)))]
        start_response(STATUS[status], headers)
        return [data]


STATUS = {200: "200 OK", 400: "400 Bad Request", 413: "413 Request Entity Too Large", 500: "500 Internal Server Error"}


def _read(environ: dict[str, Any]) -> bytes | None:
    """The raw body, never more than MAX_BODY bytes read (chunked bodies included): None if larger."""
    stream = environ["wsgi.input"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length > MAX_BODY:
        return None
    body = stream.read(length) if length >= 0 else stream.read(MAX_BODY + 1)
    return None if len(body) > MAX_BODY else body


def handle(rt: Any, body: bytes, signature: str | None) -> tuple[str, int, str]:
    """(outcome for the metrics, HTTP status, text) of one webhook request."""
    if not signature_ok(rt.settings.channel_secret, body, signature):
        return "forged", 400, "invalid signature"
    try:
        events = json.loads(body)["events"]
        if not isinstance(events, list):
            raise TypeError("events is not a list")
    except (ValueError, KeyError, TypeError) as e:
        log.warning("webhook rejected: malformed body (%s)", type(e).__name__)
        return "malformed", 400, "malformed body"
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
        return "error", 500, "try again"
    rt.metrics.duplicates(len(accepted) - sum(accepted))
    return "ok", 200, "OK"


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    """Ready means: the queue (Redis, or the embedded one) takes events. Mode and backlog are in /metrics."""
    ok = current_app.extensions["dip"].queue.ping()
    return jsonify(ready=ok), 200 if ok else 503
