"""The factory (STYLE.md 1): nothing happens at import; components are built per role.

- web (gunicorn 'bot:create_app()'): settings, the event queue, metrics; in Redis mode no NLU
  and no LINE client at all. Embedded mode (no REDIS_URL) also runs the worker in-process.
- worker (`python -m bot worker`) and chat (`make chat`) call build_dispatcher().
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Any

from flask import Flask

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.store import Store
from bot.webhook import MAX_BODY
from domain.clock import Clock, SystemClock
from domain.config_files import ConfigError

log = logging.getLogger(__name__)
__all__ = ["build_dispatcher", "create_app", "make_store", "settings_or_exit", "setup_logging"]


@dataclass
class Runtime:
    settings: Settings
    store: Store
    queue: Any  # bot.events: StreamQueue, MemoryQueue or a test's ManualQueue
    metrics: Any
    dispatcher: Any = None


def settings_or_exit(**env: Any) -> Settings:
    try:
        return load_settings(**env)
    except SettingsError as e:
        print(f"start-up stopped: {e}", file=sys.stderr)
        raise SystemExit(2) from None


def make_store(settings: Settings) -> Store:
    if settings.embedded:
        from bot.store.memory import MemoryStore

        return MemoryStore()
    from bot.store.redis import RedisStore

    return RedisStore.from_url(str(settings.REDIS_URL), settings.EVENT_PARTITIONS)


def make_messenger(settings: Settings, metrics: Any = None) -> Any:
    if settings.local:
        from bot.messenger import ConsoleMessenger

        return ConsoleMessenger()
    from bot.messenger.line import LineMessenger

    return LineMessenger(
        settings.LINE_API_BASE_URL,
        str(settings.LINE_CHANNEL_ACCESS_TOKEN),
        timeout=settings.LINE_TIMEOUT_SECONDS,
        push_seconds=settings.PUSH_RETRY_SECONDS,
        metrics=metrics,
    )


def load_data() -> tuple[Any, Any, Any, Any]:
    """Catalog, texts, entity tables, notice; a broken file stops start-up naming file and field."""
    try:
        import nlp  # noqa: F401
        from domain.catalog import Catalog
        from domain.privacy import load_notice
        from domain.texts import Texts
        from nlp.entities import EntityExtractor

        return Catalog(), Texts(), EntityExtractor.from_config(), load_notice()
    except ConfigError as e:
        print(f"start-up stopped: {e}", file=sys.stderr)
        raise SystemExit(2) from None


def check_config() -> None:
    try:
        from domain.catalog import Catalog
        from domain.privacy import load_notice
        from domain.texts import Texts

        Catalog(), Texts(), load_notice()
    except ConfigError as e:
        print(f"start-up stopped: {e}", file=sys.stderr)
        raise SystemExit(2) from None


def build_dispatcher(
    settings: Settings,
    store: Store,
    messenger: Any = None,
    clock: Clock | None = None,
    classify: Any = None,
    background_nlu: bool = False,
    metrics: Any = None,
) -> Any:
    from bot.dispatcher import Deps, Dispatcher
    from bot.metrics import NoMetrics
    from bot.nlu import LazyClassifier
    from bot.router import Router
    from nlp.classifier import load_settings as nlu_settings

    catalog, texts, entities, notice = load_data()
    classify = classify or LazyClassifier(store).start(background=background_nlu)  # + the active version
    nlu = nlu_settings()
    threshold = float(nlu.get("handoff_threshold", 0.8))
    metrics = metrics or NoMetrics()
    return Dispatcher(
        Deps(
            settings=settings,
            store=store,
            messenger=messenger or make_messenger(settings, metrics),
            router=Router(classify, settings.staff_ids, texts, catalog, entities, threshold, nlu),
            entities=entities,
            catalog=catalog,
            texts=texts,
            clock=clock or SystemClock(),
            notice=notice,
            metrics=metrics,
        )
    )


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """overrides (tests): settings, store, queue, messenger, clock, classify."""
    from bot.metrics import metrics, prepare

    o = overrides or {}
    settings = o.get("settings") or settings_or_exit()
    setup_logging(settings.LOG_LEVEL, json_lines=not settings.local)
    prepare(settings.METRICS_DIR, "web")
    store = o.get("store") or make_store(settings)
    dispatcher = None
    if "queue" in o:
        queue = o["queue"]
    elif settings.embedded:
        from bot.events.memory import MemoryQueue

        dispatcher = build_dispatcher(
            settings, store, o.get("messenger"), o.get("clock"), o.get("classify"), background_nlu=True
        )
        queue = MemoryQueue(dispatcher.process, threads=min(settings.WORKER_THREADS, 4))
    else:
        from bot.events.streams import StreamQueue

        check_config()  # a broken data file fails the deploy here too, without loading any NLU
        queue = StreamQueue(getattr(store, "r"), settings.EVENT_PARTITIONS)  # noqa: B009 - the Redis store's client
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY  # enforced while reading, chunked bodies too
    app.extensions["dip"] = Runtime(settings, store, queue, metrics(), dispatcher)
    from bot.api import bp as api_bp
    from bot.api_reminders import bp as reminders_bp
    from bot.export import bp as export_bp
    from bot.metrics_view import bp as metrics_bp
    from bot.webhook import Webhook, bp

    app.register_blueprint(bp)
    app.wsgi_app = Webhook(app.wsgi_app, app.extensions["dip"])  # type: ignore[method-assign]
    app.register_blueprint(export_bp)
    app.register_blueprint(metrics_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(reminders_bp)
    from bot.console import register as console

    console(app, settings, store, exempt=[bp, export_bp, metrics_bp, api_bp, reminders_bp])
    if settings.FORWARDED_HOPS:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = settings.FORWARDED_HOPS
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    log.info("web ready: mode=%s store=%s", settings.mode, "memory" if settings.embedded else "redis")
    return app
