"""Matched programs with reasons: "เหมาะกับคุณเพราะ ..." and, for near misses, "ยังไม่ตรงเพราะ ..."."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.clock import thai_date
from bot.matching import Match, Reason, rank
from handlers.base import Card, Context, Message, Result, Text
from handlers.menu import after_answer

MAX_FITS, MAX_NEAR = 5, 2


def for_profile(ctx: Context, profile: dict[str, Any]) -> tuple[list[Match], list[Match]]:
    province = ctx.data.province.get(profile.get("province", ""))
    return rank(ctx.data.programs, profile, ctx.now.date(), province.region if province else None)


def messages(ctx: Context, profile: dict[str, Any]) -> list[Message]:
    fits, near = for_profile(ctx, profile)
    out: list[Message] = []
    if fits:
        from handlers.programs import bubble

        cards = [bubble(ctx, m.program, why=explain(ctx, m)) for m in fits[:MAX_FITS]]
        alt = ctx.say("match.title", count=len(cards))
        fallback = "\n".join(f"• {name(ctx, m.program)}: {explain(ctx, m)}" for m in fits[:MAX_FITS])
        out += [Text(alt), Card(alt, {"type": "carousel", "contents": cards}, fallback)]
    if near:
        lines = [ctx.say("match.near_title")]
        lines += [f"• {name(ctx, m.program)}: {explain(ctx, m)}" for m in near[:MAX_NEAR]]
        out.append(Text("\n".join(lines)))
    return out or [ctx.text("match.none")]


def handle(ctx: Context) -> Result:
    """ "โครงการที่เหมาะกับฉัน": needs a profile (after registering), else offers to register."""
    if not ctx.profile:
        return Result([ctx.text("match.need_profile")], [ctx.choice("start"), *after_answer(ctx, "agro", "creative")])
    return Result(messages(ctx, ctx.profile), after_answer(ctx, "mentor_request", "funding", "status"))


def name(ctx: Context, program: Any) -> str:
    return program.name_en if ctx.lang == "en" else program.name_th


def explain(ctx: Context, m: Match) -> str:
    if m.misses:
        return ctx.say("match.not_yet", reasons=", ".join(_reason(ctx, r) for r in m.misses))
    return ctx.say("match.because", reasons=", ".join(_reason(ctx, r) for r in m.fits) or ctx.say("match.open"))


def _reason(ctx: Context, r: Reason) -> str:
    a = dict(r.args)
    if "track" in a:
        a["track"] = ctx.say(f"choice.{a['track']}")
    if "stage" in a:
        a["stage"] = ctx.say(f"form.stage.{a['stage']}")
    if "stages" in a:
        a["stages"] = " / ".join(ctx.say(f"form.stage.{s}") for s in a["stages"])
    if "max" in a:
        a["range"] = f"{a['min']}–{a['max']}" if a["max"] is not None else ctx.say("match.at_least", n=a["min"])
    if "closes" in a:
        d = datetime(a["closes"].year, a["closes"].month, a["closes"].day)
        a["date"] = thai_date(d) if ctx.lang == "th" else d.strftime("%-d %b %Y")
    return ctx.say(f"match.{r.key}", **a)
