"""Big Brother (พี่ช่วยน้อง) mentoring: explained; a request (after consent) is recorded for
staff to match; would-be mentors get the volunteer path."""

from __future__ import annotations

import re

from handlers import consent
from handlers.base import Context, Result
from handlers.menu import after_answer

VOLUNTEER = re.compile(r"อยากเป็นพี่เลี้ยง|เป็นพี่เลี้ยง|สมัครเป็นพี่เลี้ยง|become a mentor|be a mentor|volunteer", re.I)


def handle(ctx: Context) -> Result:
    if ctx.extra.get("volunteer") or VOLUNTEER.search(ctx.incoming.text):
        return Result([ctx.text("mentor.volunteer")], after_answer(ctx, "human", "contact"))
    if ctx.extra.get("request"):
        return request(ctx)
    return Result(
        [ctx.text("mentor.about")],
        [ctx.choice("mentor_request"), *after_answer(ctx, "agro", "creative", "smart", "volunteer")],
    )


def request(ctx: Context) -> Result:
    if not ctx.consent.get("current"):
        return consent.ask(ctx, "mentor")
    profile = dict(ctx.profile or {"v": 1})
    pending = [r for r in profile.get("mentor_requests", []) if r["status"] == "pending"]
    if pending:
        return Result([ctx.text("mentor.already")], after_answer(ctx, "status"))
    track = ctx.entities.get("track") or profile.get("track")
    req = {"at": ctx.now.isoformat(), "status": "pending", "track": track}
    profile["mentor_requests"] = [*profile.get("mentor_requests", []), req]
    return Result([ctx.text("mentor.requested")], after_answer(ctx, "status", "start"), profile=profile)
