"""`python -m bot serve | worker | chat | kpi | richmenu | events | broadcast | staff`."""

from __future__ import annotations

import argparse
import logging

log = logging.getLogger("bot")


def serve() -> int:
    from bot.app import create_app, settings_or_exit

    settings = settings_or_exit()
    app = create_app({"settings": settings})
    host = "127.0.0.1"
    print(
        f"DIPROM bot ({settings.mode}, {'embedded' if settings.embedded else 'redis'}) on http://{host}:{settings.PORT}"
    )
    if settings.embedded:
        from bot.console import first_admin

        secret = first_admin(app.extensions["dip"].store)
        if secret:
            print(f"staff console: http://{host}:{settings.PORT}/console  account: admin  one-time password: {secret}")
    app.run(host=host, port=settings.PORT, threaded=True, use_reloader=False)
    return 0


def worker() -> int:
    from bot.app import settings_or_exit, setup_logging
    from bot.worker import run

    settings = settings_or_exit()
    setup_logging(settings.LOG_LEVEL, json_lines=not settings.local)
    if not settings.REDIS_URL:
        print(
            "start-up stopped: setting REDIS_URL is required for `python -m bot worker` "
            "(embedded mode runs its worker inside the web process: `make run`)"
        )
        return 2
    return run(settings)


def events(what: str) -> int:
    """`python -m bot events dead`: the dead-letter stream, without message text."""
    import json
    from typing import Any

    import redis

    from bot.app import settings_or_exit

    settings = settings_or_exit()
    if not settings.REDIS_URL:
        print("`python -m bot events` reads Redis: set REDIS_URL")
        return 2
    client: Any = redis.Redis.from_url(str(settings.REDIS_URL))
    entries = client.xrange("dip:dead")
    for entry_id, fields in entries:
        event = json.loads(fields[b"ev"])
        kind = f"{event.get('type')}/{(event.get('message') or {}).get('type', '-')}"
        print(entry_id.decode(), fields[b"id"].decode(), kind, f"user {fields[b'uh'].decode()[:8]}…")
    print(f"{len(entries)} dead letters (kept 7 days; `XDEL dip:dead <id>` removes one)")
    return 0


def kpi(fy: int | None) -> int:
    from datetime import datetime

    from bot.app import make_store, settings_or_exit
    from domain.catalog import Catalog
    from domain.clock import BANGKOK
    from domain.config_files import ConfigError
    from domain.kpi import compute, fiscal_year, table
    from domain.targets import load as load_targets

    settings = settings_or_exit()
    if settings.embedded:
        print("`python -m bot kpi` reads Redis: set REDIS_URL (embedded mode keeps nothing after it stops)")
        return 2
    store = make_store(settings)
    fy = fy or fiscal_year(datetime.now(BANGKOK))
    leads = [(uh, lead) for uh in store.index_members("dip:lead-index") for lead in store.items("leads", uh)]
    groups = store.items("groups", str(fy))
    try:
        targets = load_targets().national()  # checked as at start-up: a broken file names the field
    except ConfigError as e:
        print(f"stopped: {e}")
        return 2
    print(table(compute(leads, groups, fy), targets, [c.id for c in Catalog().centers]))
    return 0


def main(argv: list[str] | None = None) -> int:
    import sys

    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["broadcast"]:
        from bot.broadcast.cli import main as broadcast

        return broadcast(argv[1:])
    if argv[:1] == ["staff"]:
        from bot.console.cli import main as staff

        return staff(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m bot")
    ap.add_argument("command", choices=["serve", "worker", "chat", "kpi", "richmenu", "events"])
    ap.add_argument("what", nargs="?", default="dead", help="events: dead (list the dead-letter stream)")
    ap.add_argument("--fy", type=int, help="kpi: Thai fiscal year (B.E.), default the current one")
    args = ap.parse_args(argv)
    if args.command == "kpi":
        return kpi(args.fy)
    if args.command == "events":
        return events(args.what)
    if args.command == "richmenu":
        from bot.richmenu import main as richmenu

        return richmenu()
    if args.command == "chat":
        from bot.chat import main as chat

        return chat()
    return serve() if args.command == "serve" else worker()


if __name__ == "__main__":
    raise SystemExit(main())
