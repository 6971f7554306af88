"""The staff broadcast API (Bearer ADMIN_API_TOKEN), JSON in and out:

POST /api/broadcasts            {"text", "segment", "schedule_at"?, "program"?} -> 202 {"id", ...}
GET  /api/broadcasts[/<id>]     status and counts (targeted, sent, skipped, failed, batches)
POST /api/broadcasts/<id>/cancel, /approve   POST /api/broadcasts/test {"text", "to"}
POST /api/segments/preview      {"segment"} -> recipients, messages it uses, quota left

Bad input: 400 naming the field; no or wrong token: 401; over the quota: 409 and nothing is
created. Broadcasts live in Redis: without REDIS_URL the API answers 503.
"""

from __future__ import annotations

import hmac
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from bot.broadcast import compose

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_API_BODY = 64 * 1024
PUBLIC = ("id", "status", "text", "segment", "program", "created_by", "created_at", "schedule_at", "approved_by",
          "targeted", "sent", "skipped", "skipped_by", "failed", "batches", "started_at", "ended_at", "unit",
          "registrations_7d")  # fmt: skip


class Invalid(Exception):
    def __init__(self, field: str, message: str, status: int = 400, **extra: Any) -> None:
        super().__init__(message)
        self.field, self.status, self.extra = field, status, extra


def _rt() -> Any:
    return current_app.extensions["dip"]


@bp.before_request
def _guard() -> Response | tuple[Response, int] | None:
    s = _rt().settings
    token = s.ADMIN_API_TOKEN or ""
    given = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return jsonify({"error": "unauthorized"}), 401
    if (request.content_length or 0) > MAX_API_BODY:
        return jsonify({"error": "too_large", "limit": MAX_API_BODY}), 413
    if getattr(_rt().store, "r", None) is None:
        return jsonify({"error": "unavailable", "message": "broadcasts need Redis (REDIS_URL)"}), 503
    return None


@bp.errorhandler(Invalid)
def _invalid(e: Invalid) -> tuple[Response, int]:
    if e.extra:
        return jsonify({"error": e.field, **e.extra}), e.status
    return jsonify({"error": "invalid", "field": e.field, "message": str(e)}), e.status


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Invalid("body", "a JSON object is required")
    return data


def _public(rec: dict[str, Any]) -> dict[str, Any]:
    out = {k: rec.get(k) for k in PUBLIC}
    if rec.get("program"):  # recipients who started a registration for it within 7 days
        from bot.broadcast.report import registrations

        out["registrations_7d"] = registrations(_rt().store.r, rec["id"])
    return out


def _desk() -> compose.Desk:
    rt = _rt()
    return compose.Desk(rt.settings, rt.store.r, compose.catalog())


@bp.post("/broadcasts")
def create() -> tuple[Response, int]:
    data = _body()
    desk = _desk()
    try:
        draft = desk.draft(data.get("text"), data.get("segment"), data.get("program"), data.get("schedule_at"))
        rec = desk.submit(draft, by=str(data.get("by") or "api"))
    except compose.Problem as p:
        if p.field == "quota":
            raise Invalid("quota", str(p), 409, needed=p.extra["needed"], left=p.extra["left"]) from None
        raise Invalid(p.field, str(p)) from None
    return jsonify({"id": rec["id"], "status": rec["status"], "targeted": draft.count}), 202


@bp.get("/broadcasts")
def listing() -> Response:
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), 200)
    return jsonify({"broadcasts": [_public(r) for r in _desk().broadcasts.list(limit)]})


@bp.get("/broadcasts/<bid>")
def one(bid: str) -> tuple[Response, int]:
    rec = _desk().broadcasts.get(bid)
    return (jsonify(_public(rec)), 200) if rec else (jsonify({"error": "not_found"}), 404)


@bp.post("/broadcasts/<bid>/cancel")
def cancel(bid: str) -> tuple[Response, int]:
    try:
        rec = _desk().cancel(bid)
    except compose.Problem as p:
        return jsonify({"error": p.field, "message": str(p)}), 404 if p.field == "not_found" else 409
    return jsonify(_public(rec)), 200


@bp.post("/broadcasts/<bid>/approve")
def approve(bid: str) -> tuple[Response, int]:
    data = request.get_json(silent=True) or {}
    try:
        rec = _desk().approve(bid, by=str(data.get("by") or "api"))
    except compose.Problem as p:
        return jsonify({"error": p.field, "message": str(p)}), 404 if p.field == "not_found" else 409
    return jsonify(_public(rec)), 200


@bp.post("/broadcasts/test")
def test() -> tuple[Response, int]:
    data = _body()
    to = data.get("to")
    if not isinstance(to, str) or to not in _rt().settings.staff_ids:
        raise Invalid("to", "a staff member's LINE user ID (STAFF_USER_IDS)")
    desk = _desk()
    try:
        draft = desk.draft(data.get("text"), None, data.get("program"), None, count=False)
        desk.test(draft, to)
    except compose.Problem as p:
        raise Invalid(p.field, str(p)) from None
    return jsonify({"sent_to": "staff"}), 200


@bp.post("/segments/preview")
def preview() -> tuple[Response, int]:
    data = _body()
    try:
        return jsonify(_desk().preview(data.get("segment"), data.get("program"))), 200
    except compose.Problem as p:
        raise Invalid(p.field, str(p)) from None
