"""One multicast batch of a broadcast, delivered exactly once, and LINE's monthly quota.

Before a batch is first sent, its log entry is stored (bot/broadcast/records.py): its retry key
and the recipients still reachable (HMAC keys only; the LINE IDs are read from the user records
in one round trip). Then line-bot-sdk's MessagingApi.multicast with `X-Line-Retry-Key`, every
attempt under the shared limiter: 200 sent; 409 (that key was already accepted) sent; 429 and
5xx, timeouts and refused connections back off (0.5 s doubling to 30 s, jittered) and retry with
the same key and the same recipients for up to 10 minutes, then the batch fails; other 4xx fail
at once; "You have reached your monthly limit." stops the broadcast. A resumed broadcast sends
a batch left `sending` again with its stored key and recipients, so LINE delivers it once.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from typing import Any

import urllib3
from linebot.v3.messaging import ApiException, MulticastRequest

from bot.broadcast.limiter import Limiter
from bot.broadcast.records import Broadcasts, retry_key

log = logging.getLogger(__name__)
MONTHLY_LIMIT = "You have reached your monthly limit."
MAX_TEXT = 5000  # UTF-16 units of one text message
BASE, CAP, GIVE_UP = 0.5, 30.0, 600.0


def messages(record: dict[str, Any], footer: str) -> list[dict[str, Any]]:
    """The card (if any), then the text with how to stop announcements, as one message."""
    card = [record["card"]] if record.get("card") else []
    return [*card, {"type": "text", "text": f"{record['text']}\n\n{footer}"}]


def text_room(footer: str) -> int:
    """UTF-16 units left for a broadcast's text once the footer is added."""
    return MAX_TEXT - len(f"\n\n{footer}".encode("utf-16-le")) // 2


def reachable(uhs: list[str], users: list[Any]) -> tuple[list[str], list[str], dict[str, int]]:
    """(HMAC keys still reachable, their LINE IDs, skipped by reason) from the users' records."""
    keep: list[str] = []
    ids: dict[str, None] = {}
    skipped: dict[str, int] = {}
    for uh, raw in zip(uhs, users, strict=True):
        user = json.loads(raw) if raw is not None else None
        uid = str((user or {}).get("id") or "")
        why = (
            "erased" if user is None or not uid.startswith("U")
            else "unfollowed" if user.get("following", True) is False
            else "opted_out" if user.get("opted_out") else None
        )  # fmt: skip
        if why:
            skipped[why] = skipped.get(why, 0) + 1
        elif uid not in ids:
            ids[uid] = None
            keep.append(uh)
    return keep, list(ids), skipped


class Sender:
    def __init__(self, broadcasts: Broadcasts, api: Any, limiter: Limiter, footer: str, *, timeout: float = 10.0,
                 give_up: float = GIVE_UP, base: float = BASE, cap: float = CAP,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 metrics: Any = None) -> None:  # fmt: skip
        self.bc, self.api, self.limiter, self.footer = broadcasts, api, limiter, footer
        self.timeout, self.give_up, self.base, self.cap = timeout, give_up, base, cap
        self.sleep, self.clock, self.metrics = sleep, clock, metrics

    def batch(self, rec: dict[str, Any], i: int) -> str:
        """Batch i, from wherever it was: "sent", "failed", or "quota" (LINE's monthly limit)."""
        bid = rec["id"]
        entry = self.bc.entry(bid, i)
        fresh: tuple[list[str], dict[str, int]] | None = None
        if entry is None:
            uhs = self.bc.recipients(bid, i, rec["batch_size"])
            keep, ids, skipped = reachable(uhs, self._users(uhs))
            entry = {"key": retry_key(bid, i), "state": "sending", "to_uhs": keep}
            if self.bc.step(bid, i, None, entry, skipped_by=skipped):
                fresh = ids, {}
            else:
                entry = self.bc.entry(bid, i) or {}
        if entry.get("state") != "sending":
            return str(entry.get("state"))
        if fresh is None:  # resumed: drop whoever was erased or opted out since it was stored
            _, ids, gone = reachable(entry["to_uhs"], self._users(entry["to_uhs"]))
        else:
            ids, gone = fresh
        outcome = self.post(ids, messages(rec, self.footer), entry["key"], rec["unit"]) if ids else "sent"
        done = {**entry, "state": "sent" if outcome == "sent" else "failed", "n": len(ids)}
        if outcome == "sent":
            self.bc.step(bid, i, "sending", done, skipped_by=gone, sent=len(ids), batches=1 if ids else 0)
        else:
            self.bc.step(bid, i, "sending", done, skipped_by=gone, failed=len(ids))
        return outcome

    def post(self, to: list[str], msgs: list[dict[str, Any]], key: str, unit: str) -> str:
        """One multicast with its retries: "sent", "failed" or "quota"."""
        request = MulticastRequest.from_dict({"to": to, "messages": msgs, "customAggregationUnits": [unit]})
        began, attempt = self.clock(), 0
        while True:
            self.limiter.wait()
            status, message = self._call(request, key)
            if status in (200, 409):  # 409: LINE already accepted this key (an earlier attempt or job)
                return "sent"
            if status == 429 and message == MONTHLY_LIMIT:
                log.error("LINE monthly message limit reached: broadcast batch of %d not sent", len(to))
                return "quota"
            if isinstance(status, int) and status != 429 and status < 500:
                log.error("multicast to %d users refused %s: %s", len(to), status, message)
                return "failed"
            delay = min(self.cap, self.base * 2**attempt) * random.uniform(0.5, 1.0)
            if self.clock() - began + delay > self.give_up:
                log.error("multicast to %d users not accepted within %.0f s", len(to), self.give_up)
                return "failed"
            if self.metrics:
                self.metrics.retry("multicast")
            self.sleep(delay)
            attempt += 1

    def _call(self, request: Any, key: str) -> tuple[int | str, str]:
        status: int | str
        try:
            self.api.multicast(request, x_line_retry_key=key, _request_timeout=self.timeout)
            status, message = 200, ""
        except ApiException as e:
            status, message = int(e.status or 0), _message(e.body)
        except (urllib3.exceptions.HTTPError, OSError) as e:  # timeouts, refused: LINE may have it
            log.warning("multicast attempt failed (%s)", type(e).__name__)
            status, message = "error", ""
        if self.metrics:
            self.metrics.line_call("multicast", status)
        return status, message

    def _users(self, uhs: list[str]) -> list[Any]:
        return list(self.bc.r.mget([f"dip:user:{uh}" for uh in uhs])) if uhs else []  # one command, not 500


def quota(api: Any) -> tuple[int | None, int]:
    """(LINE's monthly message limit or None when unlimited, messages used this month)."""
    q = api.get_message_quota()
    kind = str(getattr(q.type, "value", q.type))
    used = int(api.get_message_quota_consumption().total_usage)
    return (int(q.value) if kind == "limited" and q.value is not None else None), used


def check_quota(needed: int, api: Any = None) -> tuple[bool, int, int | None]:
    """(fits, needed, left; left None when unlimited). `needed` is the number of recipients:
    LINE counts one message per recipient of a request, whatever its message objects."""
    if api is None:
        from bot.settings import load_settings

        api = make_api(load_settings())
    limit, used = quota(api)
    left = None if limit is None else max(0, limit - used)
    return left is None or needed <= left, needed, left


def make_api(settings: Any) -> Any:
    """line-bot-sdk's MessagingApi on LINE_API_BASE_URL, or, in local mode, one that logs."""
    if settings.local:
        return LocalApi()
    from linebot.v3.messaging import MessagingApi

    from bot.messenger.line import make_client

    return MessagingApi(make_client(settings.LINE_API_BASE_URL, str(settings.LINE_CHANNEL_ACCESS_TOKEN)))


class LocalApi:
    """Local mode (no token): sends nothing, logs what it would send; no quota."""

    def multicast(self, request: Any, x_line_retry_key: str | None = None, **_: Any) -> None:
        log.info("local mode: would multicast to %d users (retry key %s)", len(request.to), x_line_retry_key)

    def get_message_quota(self) -> Any:
        return type("Quota", (), {"type": "none", "value": None})()

    def get_message_quota_consumption(self) -> Any:
        return type("Usage", (), {"total_usage": 0})()


def _message(body: Any) -> str:
    try:
        return str(json.loads(body or b"{}").get("message", ""))
    except (ValueError, AttributeError, TypeError):
        return ""
