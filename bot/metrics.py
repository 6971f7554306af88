"""Prometheus metrics (prometheus-client, multiprocess mode): every web and worker process writes
its own files under METRICS_DIR/<role>; `GET /metrics` adds them up, plus the queue's depth and
the age of the oldest unprocessed event, read from Redis at scrape time.

No label holds personal data: outcomes, intents, LINE endpoints and status codes only.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

_INSTANCE: Metrics | None = None
FAST = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
SLOW = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)


def prepare(directory: str, role: str, fresh: bool = False) -> str:
    """Point prometheus-client at METRICS_DIR/<role> (before it is imported); `fresh` empties it."""
    path = Path(directory) / role
    if fresh and path.exists():
        shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True, exist_ok=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return str(path)


class Metrics:
    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram

        self.webhooks = Counter("dip_webhooks", "Webhook requests by outcome", ["outcome"])
        self.ack = Histogram("dip_ack_seconds", "Time to acknowledge a webhook", buckets=FAST)
        self.skipped_events = Counter("dip_events_malformed", "Malformed events skipped")
        self.duplicate_events = Counter("dip_events_duplicate", "Events LINE sent again, ignored")
        self.events = Counter("dip_events_processed", "Events processed", ["kind"])
        self.age = Histogram("dip_event_age_seconds", "Webhook time to processing start", buckets=SLOW)
        self.work = Histogram("dip_event_seconds", "Processing time of one event", buckets=SLOW)
        self.intents = Counter("dip_intents", "Routes answered", ["route"])
        self.line = Counter("dip_line_requests", "Requests to LINE by API and status", ["api", "status"])
        self.retries = Counter("dip_line_retries", "Requests to LINE retried", ["api"])
        self.dead_letters = Counter("dip_dead_letters", "Events moved to the dead-letter stream")

    def webhook(self, outcome: str, seconds: float) -> None:
        self.webhooks.labels(outcome).inc()
        self.ack.observe(seconds)

    def skipped(self) -> None:
        self.skipped_events.inc()

    def duplicates(self, n: int) -> None:
        if n:
            self.duplicate_events.inc(n)

    def processed(self, kind: str, timestamp_ms: int, seconds: float) -> None:
        self.age.observe(max(0.0, time.time() - timestamp_ms / 1000))
        self.events.labels(kind).inc()
        self.work.observe(seconds)

    def routed(self, names: list[str]) -> None:
        for name in names:
            self.intents.labels(name).inc()

    def line_call(self, api: str, status: int | str) -> None:
        self.line.labels(api, str(status)).inc()

    def retry(self, api: str) -> None:
        self.retries.labels(api).inc()

    def dead(self) -> None:
        self.dead_letters.inc()


class NoMetrics(Metrics):
    """Tests of parts that do not concern metrics."""

    def __init__(self) -> None:
        pass

    def __getattribute__(self, name: str) -> Any:
        return lambda *a, **k: None


def metrics() -> Metrics:
    """One Metrics per process (prometheus-client refuses a metric registered twice)."""
    global _INSTANCE
    if _INSTANCE is None:
        _INSTANCE = Metrics()
    return _INSTANCE
