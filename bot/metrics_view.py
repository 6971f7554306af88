"""GET /metrics: Prometheus text format, all processes of this host added up (multiprocess mode),
plus the backlog read from Redis at scrape time. Behind `METRICS_TOKEN` (Bearer) when set;
without a token, only from this machine (a scraper on another host needs the token).

A host that runs only workers has no web process: with `METRICS_PORT` set, the worker serves the
same page on that port (`serve_worker_metrics`), under the same rule.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, current_app, request

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)
LOCAL = {"127.0.0.1", "::1", "localhost"}


def allowed(token: str | None, authorization: str, remote: str | None) -> int:
    """200, or the status to refuse with: 401 (wrong or missing token), 403 (from outside, no token set)."""
    if token:
        given = authorization.removeprefix("Bearer ").strip()
        return 200 if hmac.compare_digest(given.encode(), token.encode()) else 401
    return 200 if remote in LOCAL else 403


def exposition(settings: Any, client: Any, roles: tuple[str, ...] = ("web", "worker")) -> bytes:
    from prometheus_client import CollectorRegistry, generate_latest

    registry = CollectorRegistry()
    registry.register(AllRoles(Path(settings.METRICS_DIR), roles))
    registry.register(Backlog(settings, client))
    return generate_latest(registry)


@bp.get("/metrics")
def metrics() -> Response:
    rt = current_app.extensions["dip"]
    status = allowed(rt.settings.METRICS_TOKEN, request.headers.get("Authorization", ""), request.remote_addr)
    if status != 200:
        abort(status)
    from prometheus_client import CONTENT_TYPE_LATEST

    return Response(exposition(rt.settings, getattr(rt.queue, "r", None)), mimetype=CONTENT_TYPE_LATEST)


def serve_worker_metrics(settings: Any, client: Any) -> Any:
    """The worker processes' metrics on METRICS_PORT (a thread of the supervisor); returns the server."""
    from socketserver import ThreadingMixIn
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    from prometheus_client import CONTENT_TYPE_LATEST

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        status = allowed(settings.METRICS_TOKEN, environ.get("HTTP_AUTHORIZATION", ""), environ.get("REMOTE_ADDR"))
        if environ.get("PATH_INFO") != "/metrics":
            status = 404
        if status != 200:
            start_response(f"{status} {STATUS[status]}", [("Content-Type", "text/plain")])
            return [STATUS[status].encode()]
        body = exposition(settings, client, ("worker",))
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST), ("Content-Length", str(len(body)))])
        return [body]

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args: Any) -> None:  # no access log lines with addresses
            pass

    server = make_server("0.0.0.0", settings.METRICS_PORT, app, Server, Quiet)
    threading.Thread(target=server.serve_forever, daemon=True, name="metrics").start()
    log.info("worker metrics on port %d", settings.METRICS_PORT)
    return server


STATUS = {401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}


class AllRoles:
    """The processes' files merged into one family per metric (a collector per role would print
    each family twice, which Prometheus refuses)."""

    def __init__(self, base: Path, roles: tuple[str, ...]) -> None:
        self.base, self.roles = base, roles

    def collect(self) -> Any:
        from prometheus_client.multiprocess import MultiProcessCollector

        files = sorted(str(f) for role in self.roles for f in (self.base / role).glob("*.db"))
        return MultiProcessCollector.merge(files, accumulate=True)


class Backlog:
    """Queue depth, age of the oldest unprocessed event, dead letters waiting, live consumers, mode."""

    def __init__(self, settings: Any, client: Any) -> None:
        self.settings, self.client = settings, client

    def collect(self) -> Any:
        from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily

        s, client = self.settings, self.client
        yield InfoMetricFamily("dip_mode", "How the bot runs", value={
            "mode": s.mode, "store": "memory" if s.embedded else "redis", "pid": str(os.getpid())})  # fmt: skip
        if client is None:
            return
        from bot.events.leases import WORKERS
        from bot.events.streams import backlog

        try:
            depth, age = backlog(client, s.EVENT_PARTITIONS)
            dead = client.xlen("dip:dead")
            live = client.zcount(WORKERS, time.time() - 10, "+inf")
        except Exception:
            return  # Redis down: /readyz says so; the gauges are simply missing
        yield GaugeMetricFamily("dip_queue_depth", "Events waiting in the partitions", value=depth)
        yield GaugeMetricFamily("dip_queue_oldest_seconds", "Age of the oldest unprocessed event", value=age)
        yield GaugeMetricFamily("dip_dead_letters_waiting", "Events in the dead-letter stream", value=dead)
        yield GaugeMetricFamily("dip_consumers_live", "Worker consumers with a recent heartbeat", value=live)
