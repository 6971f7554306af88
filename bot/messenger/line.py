"""LINE messenger on line-bot-sdk v3, with the reply/push rules of facts/LINE.md.

- Timeouts are always set (the SDK has none) and retries are ours (it retries nothing).
- 429 and 5xx and timeouts: capped exponential backoff, a cap on attempts and on total time.
- "You have reached your monthly limit." is not retried: it raises QuotaExceeded.
- Push carries an X-Line-Retry-Key from the first attempt; 409 means it was already accepted.
- Reply: fall back to push only when the reply was never delivered. "Invalid reply token"
  after our own ambiguous attempt (timeout, 5xx) is taken as delivered, because LINE gives
  the same answer for a used token as for an expired one.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

import urllib3
from linebot.v3.messaging import (
    ApiClient,
    ApiException,
    Configuration,
    MessagingApi,
    PushMessageRequest,
    ReplyMessageRequest,
)

from bot.ids import mask
from bot.messenger.base import BaseMessenger, QuotaExceeded

log = logging.getLogger(__name__)
MONTHLY_LIMIT = "You have reached your monthly limit."
INVALID_TOKEN = "Invalid reply token"
# Never sent: safe to retry and nothing was delivered.
NOT_SENT = (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)


class LocalApiClient(ApiClient):
    """MessagingApiBlob always calls api-data.line.me; dropping the per-call host makes it
    follow `Configuration.host` (linefake README), so LINE_API_DATA_BASE_URL is honoured."""

    def call_api(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["_host"] = None
        return super().call_api(*args, **kwargs)


def make_client(base_url: str, token: str) -> ApiClient:
    cfg = Configuration(host=base_url, access_token=token)
    cfg.retries = False  # urllib3 must not retry POSTs behind our back
    return LocalApiClient(cfg)


class LineMessenger(BaseMessenger):
    def __init__(
        self,
        client: ApiClient,
        timeout: float = 10.0,
        max_attempts: int = 6,
        max_seconds: float = 60.0,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api = MessagingApi(client)
        self.timeout, self.max_attempts, self.max_seconds = timeout, max_attempts, max_seconds
        self.backoff, self.sleep = backoff, sleep

    def _wait(self, attempt: int, started: float) -> bool:
        """Sleep before the next attempt; False when attempts or time are used up."""
        delay = min(self.backoff * 2**attempt, 8.0)
        if attempt + 1 >= self.max_attempts or time.monotonic() - started + delay > self.max_seconds:
            return False
        self.sleep(delay)
        return True

    def reply(self, chat_id: str, reply_token: str, messages: list[dict[str, Any]]) -> bool:
        req = ReplyMessageRequest.from_dict({"replyToken": reply_token, "messages": messages})
        ambiguous, started = False, time.monotonic()
        for attempt in range(self.max_attempts):
            try:
                self.api.reply_message_with_http_info(req, _request_timeout=self.timeout, _preload_content=False)
                return True
            except ApiException as e:
                msg = _message(e)
                if e.status == 429 and msg == MONTHLY_LIMIT:
                    raise QuotaExceeded(msg) from None
                if e.status == 400 and msg == INVALID_TOKEN:
                    # After our own unclear attempt the reply most likely arrived; else it expired.
                    log.info("reply token refused (after unclear attempt: %s)", ambiguous)
                    return ambiguous
                if e.status == 429 or (e.status or 0) >= 500:
                    ambiguous = ambiguous or (e.status or 0) >= 500
                    log.warning("reply got %s, attempt %d", e.status, attempt + 1)
                else:
                    log.error("reply refused %s: %s", e.status, msg)
                    return False  # LINE said no before delivering: push instead
            except NOT_SENT as e:
                log.warning("reply not sent (%s), attempt %d", type(e).__name__, attempt + 1)
            except urllib3.exceptions.HTTPError as e:
                ambiguous = True  # a read timeout: LINE may have delivered it
                log.warning("reply unclear (%s), attempt %d", type(e).__name__, attempt + 1)
            if not self._wait(attempt, started):
                break
        if ambiguous:
            log.error("reply gave up after an unclear attempt; not pushing a possible duplicate")
            return True
        return False

    def push(self, to: str, messages: list[dict[str, Any]]) -> None:
        req = PushMessageRequest.from_dict({"to": to, "messages": messages})
        key, started = str(uuid.uuid4()), time.monotonic()  # the same key on every attempt
        for attempt in range(self.max_attempts):
            try:
                self.api.push_message_with_http_info(
                    req, x_line_retry_key=key, _request_timeout=self.timeout, _preload_content=False
                )
                return
            except ApiException as e:
                msg = _message(e)
                if e.status == 409:
                    return  # accepted by an earlier attempt with this key
                if e.status == 429 and msg == MONTHLY_LIMIT:
                    log.error("LINE monthly message limit reached; push to %s not sent", mask(to))
                    raise QuotaExceeded(msg) from None
                if e.status != 429 and (e.status or 0) < 500:
                    log.error("push to %s refused %s: %s", mask(to), e.status, msg)
                    return
                log.warning("push got %s, attempt %d", e.status, attempt + 1)
            except urllib3.exceptions.HTTPError as e:
                log.warning("push failed (%s), attempt %d", type(e).__name__, attempt + 1)
            if not self._wait(attempt, started):
                break
        log.error("push to %s given up after %d attempts", mask(to), self.max_attempts)


def _message(e: ApiException) -> str:
    try:
        return str(json.loads(e.body or b"{}").get("message", ""))
    except (ValueError, AttributeError):
        return ""
