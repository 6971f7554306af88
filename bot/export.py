"""GET /export/<token>: the user's data as a JSON file, through a signed link valid 15 min."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app

from bot.privacy import EXPORT_SECONDS, collect, export_serializer

bp = Blueprint("export", __name__)


@bp.get("/export/<token>")
def export(token: str) -> Response:
    from itsdangerous import BadSignature, SignatureExpired

    rt = current_app.extensions["dip"]
    try:
        uh = export_serializer(rt.settings.hash_key).loads(token, max_age=EXPORT_SECONDS)
    except SignatureExpired:
        return Response('ลิงก์หมดอายุแล้ว พิมพ์ "ขอไฟล์ข้อมูล" ในแชทเพื่อขอลิงก์ใหม่ (link expired)\n', 410, mimetype="text/plain")
    except BadSignature:
        return Response("ไม่พบข้อมูล (not found)\n", 404, mimetype="text/plain")
    body = json.dumps({"exported_by": "DIPROM LINE bot", **collect(rt.store, uh)}, ensure_ascii=False, indent=2)
    return Response(
        body,
        200,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=my-data.json", "Cache-Control": "no-store"},
    )
