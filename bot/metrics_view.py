"""GET /metrics: Prometheus text format, all processes of this host added up (multiprocess mode),
plus the backlog read from Redis at scrape time. Behind `METRICS_TOKEN` (Bearer) when set;
without a token, only from this machine (a scraper on another host needs the token)."""

from __future__ import annotations

import hmac
import os
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, request

bp = Blueprint("metrics", __name__)
LOCAL = {"127.0.0.1", "::1", "localhost"}


@bp.get("/metrics")
def metrics() -> Response:
    rt = current_app.extensions["dip"]
    token = rt.settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            abort(401)
    elif request.remote_addr not in LOCAL:
        abort(403)
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    base = Path(rt.settings.METRICS_DIR)
    for role in ("web", "worker"):
        if (base / role).is_dir():
            MultiProcessCollector(registry, path=str(base / role))
    registry.register(Backlog(rt))
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class Backlog:
    """Queue depth, age of the oldest unprocessed event, dead letters waiting, live consumers, mode."""

    def __init__(self, rt: Any) -> None:
        self.rt = rt

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily

        s = self.rt.settings
        yield InfoMetricFamily("dip_mode", "How the bot runs", value={
            "mode": s.mode, "store": "memory" if s.embedded else "redis", "pid": str(os.getpid())})  # fmt: skip
        client = getattr(self.rt.queue, "r", None)
        if client is None:
            return
        from bot.events.leases import WORKERS
        from bot.events.streams import backlog

        try:
            depth, age = backlog(client, s.EVENT_PARTITIONS)
            dead = client.xlen("dip:dead")
            import time

            live = client.zcount(WORKERS, time.time() - 10, "+inf")
        except Exception:
            return  # Redis down: /readyz says so; the gauges are simply missing
        yield GaugeMetricFamily("dip_queue_depth", "Events waiting in the partitions", value=depth)
        yield GaugeMetricFamily("dip_queue_oldest_seconds", "Age of the oldest unprocessed event", value=age)
        yield GaugeMetricFamily("dip_dead_letters_waiting", "Events in the dead-letter stream", value=dead)
        yield GaugeMetricFamily("dip_consumers_live", "Worker consumers with a recent heartbeat", value=live)
