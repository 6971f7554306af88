"""Deadline reminders for staff (Bearer ADMIN_API_TOKEN, the guard of bot/api.py), JSON:

GET  /api/reminders     every program: closes, days_left, state (due, sent, off, waiting, closed,
                        no_deadline), enabled, the reminder's broadcast ID and how many would get it
POST /api/reminders     {"program": id, "enabled": false|true} -> that program's row

Bad input: 400 naming the field; no or wrong token: 401; without REDIS_URL: 503.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from bot.api import _guard
from bot.broadcast import compose
from bot.broadcast.reminders import Reminders

bp = Blueprint("api_reminders", __name__, url_prefix="/api")
bp.before_request(_guard)


def _reminders() -> Reminders:
    rt: Any = current_app.extensions["dip"]
    now = rt.dispatcher.d.clock.now() if rt.dispatcher is not None else None  # the embedded runtime's clock
    return Reminders(rt.settings, rt.store.r, compose.catalog(), now=now)


def _invalid(field: str, message: str) -> tuple[Response, int]:
    return jsonify({"error": "invalid", "field": field, "message": message}), 400


@bp.get("/reminders")
def listing() -> Response:
    rem = _reminders()
    return jsonify({"reminder_days": rem.days, "today": rem.today.isoformat(), "programs": rem.rows()})


@bp.post("/reminders")
def switch() -> tuple[Response, int]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return _invalid("body", "a JSON object is required")
    program, enabled = data.get("program"), data.get("enabled")
    if not isinstance(program, str) or compose.catalog().program(program) is None:
        return _invalid("program", "a program id from config/programs.yml")
    if not isinstance(enabled, bool):
        return _invalid("enabled", "true or false")
    return jsonify(_reminders().switch(program, enabled)), 200
