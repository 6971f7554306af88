"""Programs that fit: a track's open programs, ranked with reasons when we know something about
the business (a profile, or a sector, size or province in the message), and the topic they set."""

from __future__ import annotations

from typing import Any

from domain.cards import carousel, center_line, day
from domain.context import Context, Result
from domain.matching import Match, Reason, rank
from domain.menus import after_answer
from domain.replies import Message, Text
from domain.state import Topic

OTHER = {"agro": ("creative", "smart"), "creative": ("agro", "smart"), "smart": ("agro", "creative")}
MAX_CARDS, MAX_FITS, MAX_NEAR = 10, 5, 2


def registered(profile: dict[str, Any] | None) -> bool:
    """A profile from the form (not only a mentor request's track or programs tapped "สนใจ")."""
    return bool(profile and profile.get("business_name"))


def known_business(ctx: Context) -> dict[str, Any]:
    """What we know of the business: the profile, with what this message said (sector, size,
    province) filling what the profile lacks."""
    e = ctx.entities
    said = {"sector_tag": e.sector, "employees": e.employees, "province": e.province}
    said = {k: v for k, v in said.items() if v is not None}
    if registered(ctx.profile):
        return {**said, **dict(ctx.profile or {})}
    return {**dict(ctx.profile or {}), **said}


def ranked(ctx: Context, business: dict[str, Any]) -> tuple[list[Match], list[Match]]:
    province = ctx.catalog.province.get(business.get("province") or "")
    return rank(ctx.catalog.programs, business, ctx.now.date(), province.region if province else None)


def track_answer(ctx: Context, track: str) -> Result:
    business = known_business(ctx)
    label = ctx.say(f"track.{track}")
    choices = after_answer(ctx, *OTHER[track], "mentor", "funding", "contact")
    province = ctx.entities.province
    if business.get("sector_tag") or business.get("employees") is not None or registered(ctx.profile):
        fits, near = ranked(ctx, {**business, "track": track})
        shown = (fits + near)[:MAX_CARDS]
        programs, whys = [m.program for m in shown], [explain(ctx, m) for m in shown]
    else:
        programs = ctx.catalog.open_programs(track, ctx.now.date())[:MAX_CARDS]
        whys = None
    if not programs:
        return Result([ctx.text("program.none", track=label)], choices)
    intro = ctx.say("program.intro", track=label, count=len(programs))
    messages: list[Message] = [Text(intro), carousel(ctx, intro, programs, whys)]
    if province:
        messages.append(center_line(ctx, province))
    topic = Topic(at=ctx.now.isoformat(), track=track, programs=tuple(p.id for p in programs), province=province)
    return Result(messages, choices, state=ctx.keep(topic=topic))


def recommended(ctx: Context, business: dict[str, Any]) -> tuple[list[Message], Topic | None]:
    """The best fits as cards with reasons, and near misses in a line each."""
    fits, near = ranked(ctx, business)
    out: list[Message] = []
    programs = [m.program for m in fits[:MAX_FITS]]
    if fits:
        title = ctx.say("match.title", count=len(programs))
        out += [Text(title), carousel(ctx, title, programs, [explain(ctx, m) for m in fits[:MAX_FITS]])]
    if near:
        lines = [ctx.say("match.near_title")]
        lines += [f"• {ctx.name(m.program)}: {explain(ctx, m)}" for m in near[:MAX_NEAR]]
        out.append(Text("\n".join(lines)))
    if not out:
        return [ctx.text("match.none")], None
    topic = Topic(at=ctx.now.isoformat(), track=business.get("track"), programs=tuple(p.id for p in programs))
    return out, topic


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
        a["date"] = day(ctx, a["closes"])
    return ctx.say(f"match.{r.key}", **a)
