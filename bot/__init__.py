"""The DIPROM SME LINE bot. `gunicorn 'bot:create_app()'`; importing does no work."""

from typing import Any


def create_app(overrides: dict[str, Any] | None = None) -> Any:
    from bot.app import create_app as factory

    return factory(overrides)
