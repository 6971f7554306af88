"""The factory (STYLE.md 1): nothing happens at import; components are built per role.

- web (gunicorn 'bot:create_app()'): settings, store, scheduler; in Redis mode no NLU and no
  LINE client at all. Embedded mode (no REDIS_URL) also runs the worker in-process.
- worker (`python -m bot worker`) and chat (`make chat`) call build_dispatcher().
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from typing import Any

from flask import Flask

from bot.settings import Settings, SettingsError, load_settings
from bot.store import Store
from domain.clock import Clock, SystemClock
from domain.config_files import ConfigError

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    store: Store
    schedule: Any
    dispatcher: Any = None


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    for noisy in ("urllib3", "rq.worker", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


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

    return RedisStore.from_url(str(settings.REDIS_URL))


def make_messenger(settings: Settings) -> Any:
    if settings.local:
        from bot.messenger import ConsoleMessenger

        return ConsoleMessenger()
    from bot.messenger.line import LineMessenger, make_client

    return LineMessenger(
        make_client(settings.LINE_API_BASE_URL, str(settings.LINE_CHANNEL_ACCESS_TOKEN)),
        timeout=settings.LINE_TIMEOUT_SECONDS,
    )


def load_data() -> tuple[Any, Any, Any, Any]:
    """Catalog, texts, entity tables, notice; a broken file stops start-up naming file and field."""
    try:
        import nlp  # noqa: F401
        from bot.privacy import load_notice
        from domain.catalog import Catalog
        from domain.texts import Texts
        from nlp.entities import EntityExtractor

        return Catalog(), Texts(), EntityExtractor.from_config(), load_notice()
    except ConfigError as e:
        print(f"start-up stopped: {e}", file=sys.stderr)
        raise SystemExit(2) from None


def check_config() -> None:
    try:
        from bot.privacy import load_notice
        from domain.catalog import Catalog
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
) -> Any:
    from bot.dispatcher import Deps, Dispatcher
    from bot.nlu import LazyClassifier
    from bot.router import Router
    from nlp.classifier import load_settings as nlu_settings

    catalog, texts, entities, notice = load_data()
    classify = classify or LazyClassifier().start(background=background_nlu)
    threshold = float(nlu_settings().get("handoff_threshold", 0.8))
    return Dispatcher(
        Deps(
            settings=settings,
            store=store,
            messenger=messenger or make_messenger(settings),
            router=Router(classify, settings.staff_ids, texts, catalog, entities, threshold),
            entities=entities,
            catalog=catalog,
            texts=texts,
            clock=clock or SystemClock(),
            notice=notice,
            on_erase=_rq_eraser(settings, store),
        )
    )


def _rq_eraser(settings: Settings, store: Store) -> Any:
    """In Redis mode an erasure also deletes the user's RQ jobs (queued, failed, finished)."""
    if settings.embedded or not hasattr(store, "r"):
        return lambda uh: None
    from bot.privacy import erase_rq_jobs
    from bot.worker import QUEUE_NAME

    return lambda uh: erase_rq_jobs(store.r, uh, QUEUE_NAME)


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """overrides (tests): settings, store, schedule, messenger, clock, classify."""
    o = overrides or {}
    settings = o.get("settings") or settings_or_exit()
    setup_logging(settings.LOG_LEVEL)
    store = o.get("store") or make_store(settings)
    dispatcher = None
    if "schedule" in o:
        schedule = o["schedule"]
    elif settings.embedded:
        from bot.worker import ThreadScheduler

        dispatcher = build_dispatcher(
            settings, store, o.get("messenger"), o.get("clock"), o.get("classify"), background_nlu=True
        )
        schedule = ThreadScheduler(store, dispatcher.process, settings.WORKER_CONCURRENCY)
    else:
        from bot.worker import RQScheduler

        check_config()  # a broken data file fails the deploy here too, without loading any NLU
        schedule = RQScheduler(store.r)  # type: ignore[union-attr]
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = None  # the route answers 413 itself, before reading
    app.extensions["dip"] = Runtime(settings, store, schedule, dispatcher)
    from bot.export import bp as export_bp
    from bot.webhook import bp

    app.register_blueprint(bp)
    app.register_blueprint(export_bp)
    log.info("web ready: mode=%s store=%s", settings.mode, "memory" if settings.embedded else "redis")
    return app
