"""Staff announcing on LINE: "ประกาศ" -> the text -> who receives it -> the preview with the
count and the quota -> "ยืนยันส่ง" (or "ส่งทดสอบ" to themselves first, "เพิ่มเงื่อนไข", "ยกเลิก").
Only STAFF_USER_IDS reach these routes (router step 5); anyone else typing "ประกาศ" gets an
ordinary answer and nothing is sent."""

from __future__ import annotations

from typing import Any

from domain.announce import AnnounceConfirm, AnnounceSegment, AnnounceText
from domain.context import Context, Result
from domain.effects import Announce
from domain.replies import Text


def start(ctx: Context) -> Result:
    return Result([ctx.text("announce.ask_text")], [ctx.choice("cancel")], state=ctx.keep(prompt=AnnounceText()))


def text(ctx: Context) -> Result:
    draft, segment = str(ctx.args["text"]), dict(ctx.args.get("segment") or {})
    keys = ("announce_all", "agro", "creative", "smart", "announce_registered", "cancel")
    choices = [ctx.choice(k) for k in keys]
    state = ctx.keep(prompt=AnnounceSegment(text=draft, segment=segment))
    return Result([ctx.text("announce.ask_segment", so_far=describe(ctx, segment))], choices, state=state)


def preview(ctx: Context) -> Result:
    draft, segment = str(ctx.args["text"]), dict(ctx.args.get("segment") or {})
    seen = ctx.lookups.broadcast_preview(segment)
    if seen is None:
        return Result([ctx.text("announce.no_redis")])
    left = seen["quota"]["left"]
    lines = [
        ctx.say("announce.preview", who=describe(ctx, segment), count=seen["recipients"],
                left="-" if left is None else left),
        "—",
        draft,
    ]  # fmt: skip
    if not seen["fits"]:
        lines.append(ctx.say("announce.over_quota", needed=seen["recipients"], left=left))
        return Result([Text("\n".join(lines))], [ctx.choice("announce_more"), ctx.choice("cancel")],
                      state=ctx.keep(prompt=AnnounceConfirm(text=draft, segment=segment)))  # fmt: skip
    choices = [ctx.choice(k) for k in ("announce_send", "announce_test", "announce_more", "cancel")]
    return Result(
        [Text("\n".join(lines))], choices, state=ctx.keep(prompt=AnnounceConfirm(text=draft, segment=segment))
    )


def send(ctx: Context) -> Result:
    seen = ctx.lookups.broadcast_preview(dict(ctx.args.get("segment") or {}))
    if seen is not None and not seen["fits"]:
        return Result([ctx.text("announce.over_quota", needed=seen["recipients"], left=seen["quota"]["left"])])
    effect = Announce(str(ctx.args["text"]), dict(ctx.args.get("segment") or {}), by=_who(ctx))
    return Result([ctx.text("announce.sending")], effects=[effect])


def test(ctx: Context) -> Result:
    draft, segment = str(ctx.args["text"]), dict(ctx.args.get("segment") or {})
    effect = Announce(draft, segment, by=_who(ctx), test=True)
    choices = [ctx.choice(k) for k in ("announce_send", "announce_more", "cancel")]
    state = ctx.keep(prompt=AnnounceConfirm(text=draft, segment=segment))
    return Result([ctx.text("announce.testing")], choices, state=state, effects=[effect])


def describe(ctx: Context, segment: dict[str, Any]) -> str:
    if not segment:
        return ctx.say("announce.everyone")
    parts = []
    for name, values in segment.items():
        shown = [ctx.say(f"choice.{v}") if name == "track" else v for v in values]
        parts.append(f"{ctx.say(f'announce.field.{name}')} {' / '.join(shown)}")
    return " + ".join(parts)


def _who(ctx: Context) -> str:
    return "line:" + ctx.incoming.chat_id[-6:]  # enough to tell two staff members apart, not the full ID
