"""Platform-neutral replies -> LINE message objects, within LINE's limits (facts/LINE.md)."""

from __future__ import annotations

import json
from typing import Any

from domain.replies import Card, Choice, Message, Text

MAX_TEXT_UTF16 = 5000  # text message limit, counted in UTF-16 code units
MAX_QUICK = 13  # quick-reply items per message
MAX_BUBBLES = 12  # bubbles per carousel
MAX_ALT = 1500  # flex altText
MAX_LABEL = 20  # quick-reply action label


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT_UTF16) -> list[str]:
    """Split on paragraph, line or space boundaries so each part fits `limit` UTF-16 units."""
    text = text.strip() or "…"
    parts: list[str] = []
    while utf16_len(text) > limit:
        cut = _fit(text, limit)
        for sep in ("\n\n", "\n", " "):
            at = text.rfind(sep, 0, cut)
            if at > cut // 2:
                cut = at
                break
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    parts.append(text)
    return [p for p in parts if p]


def _fit(text: str, limit: int) -> int:
    """The longest prefix length (in code points) within `limit` UTF-16 units."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def quick_reply(choices: list[Choice]) -> dict[str, Any]:
    return {"items": [{"type": "action", "action": _action(c)} for c in choices[:MAX_QUICK]]}


def _action(c: Choice) -> dict[str, Any]:
    if c.action == "location":
        return {"type": "location", "label": c.label[:MAX_LABEL]}
    return {"type": "message", "label": c.label[:MAX_LABEL], "text": c.text[:300]}


def to_line(messages: list[Message], choices: list[Choice] | tuple[Choice, ...] = ()) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        if isinstance(m, Text):
            out += [{"type": "text", "text": part} for part in split_text(m.text)]
        elif isinstance(m, Card):
            contents = m.contents
            if contents.get("type") == "carousel":
                contents = {**contents, "contents": contents["contents"][:MAX_BUBBLES]}
            # altText is what LINE shows where a card cannot be drawn: the card's plain-text fallback.
            out.append({"type": "flex", "altText": _alt(m.fallback or m.alt), "contents": contents})
    if out and choices:
        out[-1]["quickReply"] = quick_reply(list(choices))  # only the last message's are shown
    return out


def _alt(alt: str) -> str:
    alt = alt.strip() or "ข้อความ"
    while utf16_len(alt) > MAX_ALT:
        alt = alt[: len(alt) - 10] + "…"
    return alt


def flex_size(contents: dict[str, Any]) -> int:
    """Bytes of compact UTF-8 JSON, as LINE (and linefake) measure bubble and carousel size."""
    return len(json.dumps(contents, ensure_ascii=False, separators=(",", ":")).encode())
