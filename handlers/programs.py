"""The three track handlers share this: open programs of a track as a Flex carousel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import thai_date
from bot.flex import render
from handlers.base import Card, Context, Result
from handlers.contact import center_line
from handlers.menu import after_answer

COLORS = {"agro": "#2E7D32", "creative": "#C2185B", "smart": "#1565C0", "cross": "#5D4037"}
HEAD = {
    "th": {"agro": "ก เกษตรอุตสาหกรรม", "creative": "ส สร้างสรรค์", "smart": "อ อัจฉริยะ", "cross": "ทุกสาย"},
    "en": {"agro": "ก Agro-industry", "creative": "ส Creative", "smart": "อ Smart", "cross": "All tracks"},
}
OTHER = {"agro": ("creative", "smart"), "creative": ("agro", "smart"), "smart": ("agro", "creative")}
MAX_CARDS = 10


def track_answer(ctx: Context, track: str) -> Result:
    today = ctx.now.date()
    progs = ctx.data.open_programs(track, today)[:MAX_CARDS]
    if ctx.profile:  # registered: the best fits first, each with its reason
        return _matched(ctx, track)
    label = ctx.say(f"track.{track}")
    choices = after_answer(ctx, *OTHER[track], "mentor", "funding", "contact")
    if not progs:
        return Result([ctx.text("program.none", track=label)], choices)
    messages: list[Any] = [ctx.text("program.intro", track=label, count=len(progs))]
    bubbles = [bubble(ctx, p) for p in progs]
    alt = ctx.say("program.intro", track=label, count=len(progs))
    fallback = "\n".join(f"• {_name(ctx, p)}: {_summary(ctx, p)}" for p in progs)
    messages.append(Card(alt=alt, contents={"type": "carousel", "contents": bubbles}, fallback=fallback))
    province = ctx.entities.get("province")
    if province:
        messages.append(center_line(ctx, province))
    return Result(messages, choices)


def _name(ctx: Context, p: Any) -> str:
    return p.name_en if ctx.lang == "en" else p.name_th


def _summary(ctx: Context, p: Any) -> str:
    return p.summary_en if ctx.lang == "en" else p.summary_th


def bubble(ctx: Context, p: Any, why: str = "") -> dict[str, Any]:
    """One program card from config/flex/program.json."""
    closes = p.window.closes
    return render(
        ctx.data.flex["program"],
        {
            "color": COLORS[p.track],
            "track_label": HEAD[ctx.lang][p.track],
            "name": _name(ctx, p),
            "summary": _summary(ctx, p),
            "benefits": (p.benefits_en if ctx.lang == "en" else p.benefits_th)[:3],
            "when": ctx.say("program.closes", date=_date(ctx, closes)) if closes else ctx.say("program.always_open"),
            "when_color": "#B00020" if closes else "#666666",
            "why": why,
            "apply_label": ctx.say("program.interested"),
            "apply_text": ctx.say("program.interested_text"),
            "details_label": ctx.say("program.details"),
            "url": p.url,
        },
    )


def _date(ctx: Context, d: Any) -> str:
    dt = datetime(d.year, d.month, d.day)
    return thai_date(dt) if ctx.lang == "th" else dt.strftime("%-d %b %Y")


def _matched(ctx: Context, track: str) -> Result:
    from handlers.recommend import explain, for_profile

    fits, near = for_profile(ctx, {**(ctx.profile or {}), "track": track})
    label = ctx.say(f"track.{track}")
    choices = after_answer(ctx, *OTHER[track], "mentor", "funding", "contact")
    shown = (fits + near)[:MAX_CARDS]
    if not shown:
        return Result([ctx.text("program.none", track=label)], choices)
    alt = ctx.say("program.intro", track=label, count=len(shown))
    cards = [bubble(ctx, m.program, why=explain(ctx, m)) for m in shown]
    fallback = "\n".join(f"• {_name(ctx, m.program)}: {explain(ctx, m)}" for m in shown)
    return Result(
        [
            ctx.text("program.intro", track=label, count=len(shown)),
            Card(alt=alt, contents={"type": "carousel", "contents": cards}, fallback=fallback),
        ],
        choices,
    )
