"""Program and center cards (config/flex/*.json) with their plain-text fallbacks, and dates."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.clock import thai_date
from domain.flex import render
from domain.replies import Card, Text

COLORS = {"agro": "#2E7D32", "creative": "#C2185B", "smart": "#1565C0", "cross": "#5D4037"}
HEAD = {
    "th": {"agro": "ก เกษตรอุตสาหกรรม", "creative": "ส สร้างสรรค์", "smart": "อ อัจฉริยะ", "cross": "ทุกสาย"},
    "en": {"agro": "ก Agro-industry", "creative": "ส Creative", "smart": "อ Smart", "cross": "All tracks"},
}


def day(ctx: Any, d: date | datetime | str) -> str:
    """26 พ.ย. 2569 in Thai, 26 Nov 2026 in English."""
    if isinstance(d, str):
        d = datetime.fromisoformat(d)
    dt = d if isinstance(d, datetime) else datetime(d.year, d.month, d.day)
    return thai_date(dt) if ctx.lang == "th" else dt.strftime("%-d %b %Y")


def summary(ctx: Any, p: Any) -> str:
    return str(p.summary_en if ctx.lang == "en" else p.summary_th)


def when(ctx: Any, p: Any) -> str:
    closes = p.window.closes
    return ctx.say("program.closes", date=day(ctx, closes)) if closes else ctx.say("program.always_open")


def bubble(ctx: Any, p: Any, why: str = "") -> dict[str, Any]:
    """One program card from config/flex/program.json."""
    return render(
        ctx.catalog.flex["program"],
        {
            "color": COLORS[p.track],
            "track_label": HEAD[ctx.lang][p.track],
            "name": ctx.name(p),
            "summary": summary(ctx, p),
            "benefits": (p.benefits_en if ctx.lang == "en" else p.benefits_th)[:3],
            "when": when(ctx, p),
            "when_color": "#B00020" if p.window.closes else "#666666",
            "why": why,
            "apply_label": ctx.say("program.interested"),
            "apply_text": ctx.say("program.interested_text", name=ctx.name(p))[:300],
            "details_label": ctx.say("program.details"),
            "details_text": ctx.say("program.details_text", name=ctx.name(p))[:300],
            "id": p.id,
        },
    )


def carousel(ctx: Any, intro: str, programs: list[Any], whys: list[str] | None = None) -> Card:
    """Numbered in the plain-text fallback, so "อันที่สอง" can point at a card."""
    whys = whys or [""] * len(programs)
    cards = [bubble(ctx, p, why) for p, why in zip(programs, whys, strict=True)]
    pairs = enumerate(zip(programs, whys, strict=True), 1)
    lines = [f"{n}. {ctx.name(p)}: {why or summary(ctx, p)}" for n, (p, why) in pairs]
    return Card(alt=intro, contents={"type": "carousel", "contents": cards}, fallback="\n".join(lines))


def center_text(ctx: Any, c: Any, province: str | None = None) -> str:
    where = ""
    if province:
        p = ctx.catalog.province[province]
        where = p.name_en if ctx.lang == "en" else province if province == "กรุงเทพมหานคร" else f"จังหวัด{province}"
    text = ctx.say(
        "contact.center" if where else "contact.center_only",
        province=where,
        center=ctx.name(c),
        address=(c.address_en if ctx.lang == "en" else c.address_th) or "-",
        phone=c.phone,
        hours=hours(ctx, c),
        website=c.website,
    )
    if c.contact_is_example:
        text += "\n" + ctx.say("contact.example_note")
    return text


def center_card(ctx: Any, c: Any, province: str | None = None) -> Card:
    """The center's card (config/flex/center.json); the full text is its plain fallback."""
    text = center_text(ctx, c, province)
    p = ctx.catalog.province.get(province or "")
    head = (
        (p.name_en if ctx.lang == "en" else f"จังหวัด{province}")
        if p
        else (c.short_en if ctx.lang == "en" else c.short_th)
    )
    values = {
        "province": head,
        "name": ctx.name(c),
        "address": (c.address_en if ctx.lang == "en" else c.address_th) or "-",
        "phone": c.phone,
        "hours": hours(ctx, c),
        "website": c.website,
        "website_label": ctx.say("contact.website"),
        "note": ctx.say("contact.example_note") if c.contact_is_example else "",
    }
    return Card(alt=text[:400], contents=render(ctx.catalog.flex["center"], values), fallback=text)


def center_line(ctx: Any, province: str) -> Text:
    """One line: which center serves a province and its phone, under another answer."""
    c, p = ctx.catalog.center_of[province], ctx.catalog.province[province]
    return ctx.text(
        "program.center_hint",
        province=p.name_en if ctx.lang == "en" else province,
        center=c.short_en if ctx.lang == "en" else c.short_th,
        phone=c.phone,
    )


def hours(ctx: Any, c: Any) -> str:
    return str(c.office_hours_en if ctx.lang == "en" else c.office_hours_th)
