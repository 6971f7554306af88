"""Contacting a center: the province known (typed, in the topic, in the profile) gets its center
at once; otherwise the bot asks the province first. A center named by number gets that center
and the provinces it serves; a shared location gets the center of its province."""

from __future__ import annotations

from typing import Any

from domain.cards import center_card
from domain.context import Context, Result
from domain.menus import after_answer
from domain.prompts import Province
from domain.replies import Choice, Message
from domain.state import Topic


def handle(ctx: Context) -> Result:
    province = known_province(ctx)
    if province:
        return _center(ctx, province)
    topic = ctx.topic
    if topic and topic.center:
        return _by_id(ctx, topic.center)
    return ask(ctx)


def known_province(ctx: Context) -> str | None:
    topic = ctx.topic
    return (
        ctx.args.get("province")
        or ctx.entities.province
        or (topic.province if topic else None)
        or (ctx.profile or {}).get("province")
    )


def ask(ctx: Context, key: str = "contact.ask_province") -> Result:
    share = Choice(ctx.say("contact.share_location"), "", action="location")
    return Result([ctx.text(key)], [share, *after_answer(ctx, "human")], state=ctx.keep(prompt=Province()))


def center(ctx: Context) -> Result:
    return _center(ctx, ctx.args["province"])


def center_id(ctx: Context) -> Result:
    return _by_id(ctx, ctx.args["center"])


def location(ctx: Context) -> Result:
    inc = ctx.incoming
    province = ctx.entities.province  # from LINE's address text
    lat, lon = inc.latitude, inc.longitude
    if not province and lat is not None and lon is not None and 5 <= lat <= 21 and 97 <= lon <= 106:
        province = ctx.catalog.nearest_province(lat, lon).name_th  # outside Thailand no center serves it
    if not province:
        return ask(ctx, "contact.location_unknown")
    return _center(ctx, province)


def _center(ctx: Context, province: str) -> Result:
    c = ctx.catalog.center_of[province]
    topic = _topic(ctx, province=province, center=c.id)
    choices = after_answer(ctx, "agro", "creative", "smart", "human")
    return Result([center_card(ctx, c, province)], choices, state=ctx.keep(topic=topic))


def _by_id(ctx: Context, center_id: str) -> Result:
    c = ctx.catalog.center_by_id[center_id]
    names = [ctx.catalog.province[p].name_en if ctx.lang == "en" else p for p in c.provinces]
    serves = ctx.text("contact.serves", center=c.short_en if ctx.lang == "en" else c.short_th,
                      count=len(names), provinces=", ".join(names))  # fmt: skip
    messages: list[Message] = [center_card(ctx, c), serves]
    topic = _topic(ctx, center=c.id)
    choices = after_answer(ctx, "agro", "creative", "smart", "human")
    return Result(messages, choices, state=ctx.keep(topic=topic))


def _topic(ctx: Context, **fields: Any) -> Topic:
    old = ctx.topic
    base = {"track": old.track, "programs": old.programs, "program": old.program} if old else {}
    return Topic(at=ctx.now.isoformat(), **{**base, **fields})
