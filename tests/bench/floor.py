"""The floors `make bench` compares against, served by gunicorn with the Procfile's settings.

- `ack_app()`: a Flask app that only verifies the signature and answers 200 (the least a webhook
  can do).
- `e2e_app()`: the same, and it also answers each text event at once with one reply through
  line-bot-sdk (the least a bot can do end to end; linefake's cost per call is the same).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os

from flask import Flask, request


def _verified() -> bool:
    secret = os.environ["LINE_CHANNEL_SECRET"].encode()
    body = request.get_data()
    digest = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest())
    return hmac.compare_digest(digest, request.headers.get("X-Line-Signature", "").encode())


def ack_app() -> Flask:
    app = Flask(__name__)

    @app.post("/callback")
    def callback() -> tuple[str, int]:
        return ("OK", 200) if _verified() else ("invalid signature", 400)

    return app


def e2e_app() -> Flask:
    from linebot.v3.messaging import ApiClient, Configuration, MessagingApi, ReplyMessageRequest, TextMessage

    cfg = Configuration(host=os.environ["LINE_API_BASE_URL"], access_token=os.environ["LINE_CHANNEL_ACCESS_TOKEN"])
    api = MessagingApi(ApiClient(cfg))
    app = Flask(__name__)

    @app.post("/callback")
    def callback() -> tuple[str, int]:
        if not _verified():
            return "invalid signature", 400
        for ev in json.loads(request.get_data())["events"]:
            if ev.get("type") == "message" and ev.get("replyToken"):
                req = ReplyMessageRequest(reply_token=ev["replyToken"], messages=[TextMessage(text="ได้รับแล้วครับ")])
                api.reply_message(req, _request_timeout=10)
        return "OK", 200

    return app
