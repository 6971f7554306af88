"""The staff console under /console (issue 12): Flask-Login sessions, Flask-WTF CSRF on every
form, server-rendered pages with htmx, every asset served from bot/console/static."""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from bot.console.accounts import Accounts

SESSION_HOURS = 8
NOT_PAGES = {"accounts", "base", "cli"}  # every other module of this package adds routes to `bp`


def register(app: Flask, settings: Any, store: Any, exempt: list[Any]) -> None:
    """The console on `app`; `exempt`: blueprints without CSRF (the webhook and the token APIs)."""
    import importlib

    from bot.console.base import bp, t

    app.config.update(
        SECRET_KEY=settings.CONSOLE_SECRET_KEY or _local_secret(),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings.local,  # production is served over HTTPS
        SESSION_COOKIE_NAME="dip_console",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
    )
    logins = LoginManager(app)
    logins.login_view = "console.login"
    logins.login_message = ""

    @logins.user_loader
    def load(name: str) -> Any:
        account = Accounts(store).get(name)
        return account if account is not None and account.is_active else None

    csrf = CSRFProtect(app)
    for other in exempt:
        csrf.exempt(other)
    for name in pages():
        importlib.import_module(f"bot.console.{name}")
    app.register_blueprint(bp)
    app.jinja_env.globals.setdefault("t", t)


def pages() -> list[str]:
    return sorted(p.stem for p in Path(__file__).parent.glob("*.py") if p.stem not in NOT_PAGES | {"__init__"})


def first_admin(store: Any) -> str | None:
    """Local embedded runs (`make run`): an `admin` account with a one-time password, printed at
    start (None when it exists already)."""
    accounts = Accounts(store)
    return None if accounts.get("admin") is not None else accounts.add("admin", "admin")


def _local_secret() -> str:
    path = Path(__file__).resolve().parents[2] / "var" / "console-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
