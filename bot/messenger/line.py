"""LINE messenger: the Messaging API over one pooled HTTP client, with the rules of facts/LINE.md.

The messages are already LINE's JSON (bot/messenger/render.py), so they are posted as they are:
building line-bot-sdk's models for a 30 KB carousel costs about 10 ms of CPU an event, and
the sending worker is measured (`make bench`). line-bot-sdk stays for the rich menu.

- Timeouts always set; urllib3 retries nothing behind our back; our retries back off with jitter.
- Reply: retried (429, 5xx, timeouts) until the reply token's deadline, then the dispatcher pushes.
  "Invalid reply token" after an attempt of ours that may have arrived (a timeout, a 5xx, or an
  earlier run of this event) means it was delivered; on a first clean attempt it means expired.
- Push and multicast: X-Line-Retry-Key from the first attempt, the same on every retry; 409
  means an earlier attempt was accepted. Retried through an outage up to PUSH_RETRY_SECONDS.
- "You have reached your monthly limit." is never retried: QuotaExceeded.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import urllib3

from bot.ids import mask
from bot.messenger.base import BaseMessenger, DeliveryFailed, QuotaExceeded, Sending

log = logging.getLogger(__name__)
MONTHLY_LIMIT = "You have reached your monthly limit."
INVALID_TOKEN = "Invalid reply token"


class LineMessenger(BaseMessenger):
    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 10.0,
        push_seconds: float = 600.0,
        metrics: Any = None,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.http = urllib3.PoolManager(
            num_pools=4, maxsize=32, retries=False, timeout=urllib3.Timeout(connect=min(3.0, timeout), read=timeout)
        )
        self.push_seconds, self.metrics, self.backoff, self.sleep = push_seconds, metrics, backoff, sleep

    def post(self, api: str, path: str, body: dict[str, Any], key: str | None = None) -> tuple[int, str]:
        """One attempt: (status, LINE's message), or raises urllib3's errors (timeouts, refused)."""
        headers = {**self.headers, "X-Line-Retry-Key": key} if key else self.headers
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            r = self.http.request("POST", self.base + path, body=data, headers=headers)
        except urllib3.exceptions.HTTPError:
            if self.metrics:
                self.metrics.line_call(api, "error")
            raise
        if self.metrics:
            self.metrics.line_call(api, r.status)
        return r.status, _message(r.data)

    def _wait(self, attempt: int, api: str, until: float) -> bool:
        """Back off before the next attempt (exponential, jittered, at most 8 s); False past `until`."""
        delay = min(self.backoff * 2**attempt, 8.0) * random.uniform(0.5, 1.0)
        if time.time() + delay > until:
            return False
        if self.metrics:
            self.metrics.retry(api)
        self.sleep(delay)
        return True

    def reply(self, chat_id: str, reply_token: str, messages: list[dict[str, Any]], sending: Sending) -> bool:
        body = {"replyToken": reply_token, "messages": messages}
        maybe_sent = sending.marked == "started"  # an earlier run of this event may have delivered it
        sending.mark("started")
        attempt = 0
        while True:
            try:
                status, msg = self.post("reply", "/v2/bot/message/reply", body)
                if status == 200:
                    return True  # the event is finished next: a re-run never comes to ask again
                if status == 429 and msg == MONTHLY_LIMIT:
                    raise QuotaExceeded(msg)
                if status == 400 and msg == INVALID_TOKEN:
                    log.info("reply token refused (an earlier attempt may have arrived: %s)", maybe_sent)
                    return maybe_sent
                if status != 429 and status < 500:
                    log.error("reply refused %s: %s", status, msg)
                    return False  # LINE said no before delivering: push instead
                maybe_sent = maybe_sent or status >= 500
            except urllib3.exceptions.HTTPError as e:
                never = isinstance(e, urllib3.exceptions.NewConnectionError | urllib3.exceptions.ConnectTimeoutError)
                maybe_sent = maybe_sent or not never  # a read timeout: LINE may have delivered it
                log.warning("reply attempt %d failed (%s)", attempt + 1, type(e).__name__)
            if attempt == 0 and chat_id.startswith("U"):
                self.loading(chat_id)  # the answer will take more than a second: LINE's typing dots
            if not self._wait(attempt, "reply", sending.deadline):
                log.warning("reply token deadline passed; pushing instead")
                return False
            attempt += 1

    def push(self, to: str, messages: list[dict[str, Any]], key: str) -> None:
        self._keyed("push", "/v2/bot/message/push", {"to": to, "messages": messages}, key, mask(to))

    def multicast(self, to: list[str], messages: list[dict[str, Any]], key: str, unit: str | None = None) -> None:
        body: dict[str, Any] = {"to": to, "messages": messages}
        if unit:
            body["customAggregationUnits"] = [unit]
        self._keyed("multicast", "/v2/bot/message/multicast", body, key, f"{len(to)} users")

    def _keyed(self, api: str, path: str, body: dict[str, Any], key: str, who: str) -> None:
        until, attempt = time.time() + self.push_seconds, 0
        while True:
            try:
                status, msg = self.post(api, path, body, key)
                if status == 200 or status == 409:  # 409: an earlier attempt with this key was accepted
                    return
                if status == 429 and msg == MONTHLY_LIMIT:
                    log.error("LINE monthly message limit reached; %s to %s not sent", api, who)
                    raise QuotaExceeded(msg)
                if status != 429 and status < 500:
                    log.error("%s to %s refused %s: %s", api, who, status, msg)
                    return  # invalid: retrying cannot help (and the error is in the log and metrics)
            except urllib3.exceptions.HTTPError as e:
                log.warning("%s attempt %d failed (%s)", api, attempt + 1, type(e).__name__)
            if not self._wait(attempt, api, until):
                raise DeliveryFailed(f"{api} to {who} not accepted within {self.push_seconds:.0f} s")
            attempt += 1

    def loading(self, chat_id: str, seconds: int = 20) -> None:
        if not chat_id.startswith("U"):
            return  # 1:1 chats only
        with contextlib.suppress(urllib3.exceptions.HTTPError):  # a nicety: never worth a retry
            self.post("loading", "/v2/bot/chat/loading/start", {"chatId": chat_id, "loadingSeconds": seconds})


def _message(data: bytes) -> str:
    try:
        return str(json.loads(data or b"{}").get("message", ""))
    except (ValueError, AttributeError):
        return ""


def make_client(base_url: str, token: str) -> Any:
    """line-bot-sdk's client, for the rich menu. MessagingApiBlob always calls api-data.line.me;
    dropping the per-call host makes it follow `Configuration.host` (linefake README)."""
    from linebot.v3.messaging import ApiClient, Configuration

    class LocalApiClient(ApiClient):
        def call_api(self, *args: Any, **kwargs: Any) -> Any:
            kwargs["_host"] = None
            return super().call_api(*args, **kwargs)

    cfg = Configuration(host=base_url, access_token=token)
    cfg.retries = False  # urllib3 must not retry POSTs behind our back
    return LocalApiClient(cfg)
