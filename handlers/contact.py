"""Contacting a center: by province typed, by shared location, or headquarters plus a question."""

from __future__ import annotations

from typing import Any

from bot.flex import render
from handlers.base import Card, Choice, Context, Result, Text
from handlers.menu import after_answer


def handle(ctx: Context) -> Result:
    inc = ctx.incoming
    province = ctx.entities.get("province")  # for a location: from LINE's address text
    if inc.kind == "location" and not province:
        province = _nearest(ctx)
        if province is None:
            return Result([ctx.text("contact.location_unknown")], state=_ask(ctx))
    if province:
        state = {k: v for k, v in ctx.state.items() if k != "prompt"}
        return Result(
            [center_card(ctx, province)], after_answer(ctx, "agro", "creative", "smart", "human"), state=state
        )
    hq = ctx.data.hq
    msg = Text(
        ctx.say("contact.hq", center=_name(ctx, hq), address=_addr(ctx, hq), phone=hq.phone, hours=_hours(ctx, hq))
    )
    share = Choice(ctx.say("contact.share_location"), "", action="location")
    return Result([msg, ctx.text("contact.ask_province")], [share, *after_answer(ctx, "human")], state=_ask(ctx))


def _ask(ctx: Context) -> dict[str, Any]:
    return {**ctx.state, "prompt": {"kind": "province"}}


def _nearest(ctx: Context) -> str | None:
    """No province in the address text: the nearest provincial capital."""
    inc = ctx.incoming
    if inc.latitude is None or inc.longitude is None:
        return None
    if not (5 <= inc.latitude <= 21 and 97 <= inc.longitude <= 106):
        return None  # outside Thailand: no center serves it
    return ctx.data.nearest_province(inc.latitude, inc.longitude).name_th


def center_card(ctx: Context, province: str) -> Card:
    """The center's card (config/flex/center.json); the full text is its plain fallback."""
    c, p = ctx.data.center_of[province], ctx.data.province[province]
    text = center_text(ctx, province).text
    contents = render(
        ctx.data.flex["center"],
        {
            "province": p.name_en if ctx.lang == "en" else f"จังหวัด{province}",
            "name": _name(ctx, c),
            "address": _addr(ctx, c),
            "phone": c.phone,
            "hours": _hours(ctx, c),
            "website": c.website,
            "website_label": ctx.say("contact.website"),
            "note": ctx.say("contact.example_note") if c.contact_is_example else "",
        },
    )
    return Card(alt=text[:400], contents=contents, fallback=text)


def center_text(ctx: Context, province: str) -> Text:
    c = ctx.data.center_of[province]
    p = ctx.data.province[province]
    text = ctx.say(
        "contact.center",
        province=p.name_en if ctx.lang == "en" else f"จังหวัด{province}" if province != "กรุงเทพมหานคร" else province,
        center=_name(ctx, c),
        address=_addr(ctx, c),
        phone=c.phone,
        hours=_hours(ctx, c),
        website=c.website,
    )
    if c.contact_is_example:
        text += "\n" + ctx.say("contact.example_note")
    return Text(text)


def center_line(ctx: Context, province: str) -> Text:
    c = ctx.data.center_of[province]
    p = ctx.data.province[province]
    return ctx.text(
        "program.center_hint",
        province=p.name_en if ctx.lang == "en" else province,
        center=c.short_en if ctx.lang == "en" else c.short_th,
        phone=c.phone,
    )


def _name(ctx: Context, c: Any) -> str:
    return c.name_en if ctx.lang == "en" else c.name_th


def _addr(ctx: Context, c: Any) -> str:
    return (c.address_en if ctx.lang == "en" else c.address_th) or "-"


def _hours(ctx: Context, c: Any) -> str:
    return c.office_hours_en if ctx.lang == "en" else c.office_hours_th
