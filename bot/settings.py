"""One typed settings object, read once by the factory (STYLE.md 9).

Names are fixed because deployments and checks use them. Local mode: no access token, so the
bot signs webhooks with DEV_CHANNEL_SECRET and prints what it would send instead of sending.
"""

from __future__ import annotations

import os
import re
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Documented in the README: only for local runs (`make run`, `make chat`), never production.
DEV_CHANNEL_SECRET = "dev-secret-not-for-production"

USER_ID_RE = re.compile(r"^U[0-9a-f]{32}$")


class SettingsError(Exception):
    """A missing or malformed setting; the message names it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    LINE_CHANNEL_SECRET: str | None = None
    LINE_CHANNEL_ACCESS_TOKEN: str | None = None
    LINE_API_BASE_URL: str = "https://api.line.me"
    LINE_API_DATA_BASE_URL: str = "https://api-data.line.me"
    REDIS_URL: str | None = None
    EMBEDDED: bool = False
    PORT: int = Field(default=8000, ge=1, le=65535)
    STAFF_USER_IDS: str = ""
    ADMIN_API_TOKEN: str | None = None
    # Signs the staff console's session cookies; required in production (local runs keep one in var/).
    CONSOLE_SECRET_KEY: str | None = None
    # Reverse proxies in front of the web process that set X-Forwarded-For/-Proto (the console's
    # login throttling counts per client address); 0: none, trust no such header.
    FORWARDED_HOPS: int = Field(default=0, ge=0, le=5)
    # Worker processes per host (`python -m bot worker`), consumers (threads) in each, and the
    # partitions of the event streams: fixed per deployment (changing it moves users between
    # partitions; drain the queue first).
    WORKER_PROCESSES: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=64)
    WORKER_THREADS: int = Field(default=4, ge=1, le=64)
    EVENT_PARTITIONS: int = Field(default=32, ge=1, le=1024)
    LEASE_SECONDS: float = Field(default=5.0, gt=0.5, le=120)
    # LINE's reply token lives about a minute after the event; past this we push instead.
    REPLY_TOKEN_SECONDS: float = Field(default=50.0, gt=0, le=60)
    PUSH_RETRY_SECONDS: float = Field(default=600.0, gt=0)  # keep retrying a push through an outage
    FLOOD_PER_MINUTE: int = Field(default=30, ge=1)  # one user's messages answered per minute
    STAFF_ALERTS_PER_MINUTE: int = Field(default=20, ge=1)
    METRICS_TOKEN: str | None = None  # Bearer token for GET /metrics; unset: only from this machine
    METRICS_DIR: str = "var/metrics"
    METRICS_PORT: int | None = Field(default=None, ge=1, le=65535)  # the worker's own /metrics (worker-only hosts)
    # Key for the HMAC that replaces user IDs in Redis key names. Required with a token or Redis:
    # it must not follow the channel secret, which LINE lets you reissue.
    USER_HASH_KEY: str | None = None
    LOG_LEVEL: str = "INFO"
    # Where users reach this service over HTTPS (export links); default: the local server.
    PUBLIC_BASE_URL: str | None = None
    # LINE answers in well under a second; the reply timeout stays far above that (facts/LINE.md).
    LINE_TIMEOUT_SECONDS: float = Field(default=10.0, gt=0)
    # Broadcasts (bot/broadcast): multicast requests per second over all workers together (LINE
    # allows 200), batches sent at once by one broadcast, and the RQ queue the worker serves.
    BROADCAST_RPS: float = Field(default=200.0, gt=0, le=2000)
    BROADCAST_CONCURRENCY: int = Field(default=4, ge=1, le=64)
    BROADCAST_QUEUE: str = Field(default="broadcasts", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    BROADCAST_APPROVAL: bool = False  # a broadcast waits for a second staff member's approval
    BROADCAST_QUIET_HOURS: str | None = Field(default=None, pattern=r"^\d{2}:\d{2}-\d{2}:\d{2}$")  # Bangkok
    BROADCAST_DAILY_CAP: int | None = Field(default=None, ge=1, le=100)  # broadcasts per user per Bangkok day
    REMINDER_DAYS: int = Field(default=7, ge=0, le=60)  # deadline reminders: days before a program's window closes

    @field_validator("LINE_API_BASE_URL", "LINE_API_DATA_BASE_URL")
    @classmethod
    def _http_url(cls, v: str) -> str:
        if not re.match(r"^https?://[^\s/]+", v):
            raise ValueError("must be an http(s) URL such as https://api.line.me")
        return v.rstrip("/")

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, v: str | None) -> str | None:
        if v in (None, ""):
            return None
        if not re.match(r"^(redis|rediss|unix)://", v):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return v

    @field_validator("STAFF_USER_IDS")
    @classmethod
    def _staff(cls, v: str) -> str:
        for uid in _split(v):
            if not USER_ID_RE.match(uid):
                raise ValueError("each ID must be a LINE user ID: U followed by 32 hex digits")
        return v

    @property
    def staff_ids(self) -> frozenset[str]:
        return frozenset(_split(self.STAFF_USER_IDS))

    @property
    def local(self) -> bool:
        """No access token: nothing is sent to LINE, the console messenger prints instead."""
        return not self.LINE_CHANNEL_ACCESS_TOKEN

    @property
    def embedded(self) -> bool:
        return self.EMBEDDED or not self.REDIS_URL

    @property
    def channel_secret(self) -> str:
        return self.LINE_CHANNEL_SECRET or DEV_CHANNEL_SECRET

    @property
    def hash_key(self) -> bytes:
        return (self.USER_HASH_KEY or "local-hash-key-not-for-production").encode()

    @property
    def public_base_url(self) -> str:
        return (self.PUBLIC_BASE_URL or f"http://127.0.0.1:{self.PORT}").rstrip("/")

    @property
    def mode(self) -> Literal["local", "production"]:
        return "local" if self.local else "production"


def _split(v: str) -> list[str]:
    return [p.strip() for p in v.split(",") if p.strip()]


def load_settings(**overrides: object) -> Settings:
    """Read env/.env (overrides win) and check the combination; raise SettingsError naming it."""
    try:
        s = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as e:
        err = e.errors()[0]
        name = str(err["loc"][0]) if err["loc"] else "settings"
        raise SettingsError(f"setting {name} is invalid: {err['msg']}") from None
    if not s.local or s.REDIS_URL:
        why = "LINE_CHANNEL_ACCESS_TOKEN" if not s.local else "REDIS_URL"
        if not s.LINE_CHANNEL_SECRET or s.LINE_CHANNEL_SECRET == DEV_CHANNEL_SECRET:
            raise SettingsError(
                f"setting LINE_CHANNEL_SECRET is required (not the development secret) when {why} is set"
            )
        if not s.USER_HASH_KEY:
            raise SettingsError(
                f"setting USER_HASH_KEY is required when {why} is set: a long random value, kept as long as the data"
            )
    if not s.local and (not s.CONSOLE_SECRET_KEY or len(s.CONSOLE_SECRET_KEY) < 32):
        raise SettingsError(
            "setting CONSOLE_SECRET_KEY is required in production: a random value of at least 32 characters"
        )
    if not s.local and not s.REDIS_URL and not s.EMBEDDED:
        raise SettingsError(
            "setting REDIS_URL is required in production (or set EMBEDDED=1 to run one process with in-memory state)"
        )
    return s
