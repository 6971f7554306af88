"""How broadcasts reach LINE: multicast requests posted as prebuilt JSON, and the quota.

Local mode (no channel access token) sends nothing and logs what it would have sent.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import urllib3

log = logging.getLogger(__name__)


def make_api(settings: Any) -> Any:
    """LineApi on LINE_API_BASE_URL, or, in local mode, one that logs."""
    if settings.local:
        return LocalApi()
    return LineApi(settings.LINE_API_BASE_URL, str(settings.LINE_CHANNEL_ACCESS_TOKEN))


class LineApi:
    """Multicast on keep-alive urllib3 connections (urllib3 retries nothing: the Sender does);
    the monthly quota through line-bot-sdk's MessagingApi."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base, self.token = base_url.rstrip("/"), token
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.http = urllib3.PoolManager(num_pools=2, maxsize=16, retries=False)

    def multicast(self, data: bytes, key: str, timeout: float) -> tuple[int, str]:
        """One attempt: (status, LINE's message); raises urllib3's errors (timeouts, refused)."""
        wait = urllib3.Timeout(connect=min(3.0, timeout), read=timeout)
        headers = {**self.headers, "X-Line-Retry-Key": key}
        r = self.http.request("POST", self.base + "/v2/bot/message/multicast", body=data, headers=headers, timeout=wait)
        return r.status, _message(r.data) if r.status != 200 else ""

    def sdk(self) -> Any:
        from linebot.v3.messaging import MessagingApi

        from bot.messenger.line import make_client

        return MessagingApi(make_client(self.base, self.token))

    def get_message_quota(self) -> Any:
        return self.sdk().get_message_quota()

    def get_message_quota_consumption(self) -> Any:
        return self.sdk().get_message_quota_consumption()


class LocalApi:
    """Local mode (no token): sends nothing, logs what it would send; no quota."""

    def multicast(self, data: bytes, key: str, timeout: float) -> tuple[int, str]:
        log.info("local mode: would multicast to %d users (retry key %s)", len(json.loads(data)["to"]), key)
        return 200, ""

    def get_message_quota(self) -> Any:
        return type("Quota", (), {"type": "none", "value": None})()

    def get_message_quota_consumption(self) -> Any:
        return type("Usage", (), {"total_usage": 0})()


def _message(body: Any) -> str:
    try:
        return str(json.loads(body or b"{}").get("message", ""))
    except (ValueError, AttributeError, TypeError):
        return ""
