"""What every console page shares: the blueprint, the runtime, the signed-in account and its
scope, the audit log, the words in Thai or English, and page rendering.

Pages live in their own modules (bot/console/*.py) and add routes to `bp`. Every route is behind
`staff_only` (a session, else the login page; JSON callers get 401) and, for admin pages,
`admin_only` (403). Center staff see their center's records only: `guard(center)` answers 404 for
another center's record, so an ID changed in the URL reveals nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from bot.console.accounts import Account, Audit

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates", static_folder="static")
LANGS = ("th", "en")


def _words() -> dict[str, dict[str, str]]:
    """texts.yml and each page's texts_<page>.yml, merged (a key defined twice stops start-up)."""
    words: dict[str, dict[str, str]] = {lang: {} for lang in LANGS}
    for path in sorted(Path(__file__).parent.glob("texts*.yml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        for lang in LANGS:
            twice = set(words[lang]) & set(data.get(lang) or {})
            if twice:
                raise ValueError(f"{path.name}: {lang}.{sorted(twice)[0]} is defined in another texts file too")
            words[lang].update(data.get(lang) or {})
    return words


WORDS = _words()


def runtime() -> Any:
    return current_app.extensions["dip"]


def me() -> Account:
    return current_user._get_current_object()  # type: ignore[no-any-return,unused-ignore]


def lang() -> str:
    chosen = session.get("lang")
    return chosen if isinstance(chosen, str) and chosen in LANGS else "th"


def t(key: str, **values: Any) -> str:
    """The console's words in the session's language (Thai when a key has no English)."""
    text = WORDS[lang()].get(key) or WORDS["th"].get(key) or key
    return text.format(**values) if values else text


def audit(action: str, target: str = "", detail: str = "") -> None:
    Audit(runtime().store).add(me().name, action, target, detail)


def staff_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            if request.accept_mimetypes.best == "application/json" or request.headers.get("HX-Request"):
                abort(401)
            return redirect(url_for("console.login", next=request.full_path))
        if me().one_time and request.endpoint != "console.password":
            return redirect(url_for("console.password"))
        return view(*args, **kwargs)

    return wrapped


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(view)
    @staff_only
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not me().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def scope() -> str | None:
    """The center the signed-in account is limited to (None: an admin sees all)."""
    return None if me().is_admin else me().center


def guard(center: str | None) -> None:
    """404 unless the signed-in account may see a record of `center`."""
    if not me().sees(center):
        abort(404)


def page(template: str, **context: Any) -> str:
    return render_template(f"console/{template}", t=t, lang=lang(), me=current_user,
                           endpoints=set(current_app.view_functions), **context)  # fmt: skip
