"""Places a whole message can be: a bare province ("เชียงใหม่", "อยู่โคราชค่ะ", "โคราด") or a
regional center by number or name ("ศภ.6", "ศูนย์ภาค ๑", "ดีพร้อมเซ็นเตอร์ 5", "ipc10")."""

from __future__ import annotations

import difflib
import re
from typing import Any

from nlp.normalize import normalize, squash

# Words around a province that do not change what the message is ("ผมอยู่ขอนแก่นครับ").
FILLER = re.compile(
    r"ครับ|คับ|ค้าบ|ค่ะ|คะ|ค่า|จ้า|จ้ะ|นะ|ฮะ|จังหวัด|จ\.|อยู่ที่|อยู่|บ้านอยู่|มาจาก|ที่|ผม|ดิฉัน|หนู|เรา|ฉัน|"
    r"\bi'?m in\b|\bi am in\b|\bi live in\b|\bfrom\b|\bin\b|\bprovince\b|[\s.,!?]"
)
CENTER = re.compile(
    r"(?:ศภ\.?|ศูนย์\s*(?:ส่งเสริมอุตสาหกรรม)?\s*ภาค\s*(?:ที่)?|ดีพร้อม\s*เซ็นเตอร์|diprom\s*center|ipc|"
    r"(?:regional\s+)?(?:industrial\s+promotion\s+)?cent(?:er|re)\s*(?:no\.?)?)\s*(\d{1,2})(?!\d)"
)


def bare_province(ents: Any, text: str) -> str | None:
    """The province when the message is nothing but a province (and filler words), typos allowed."""
    t = normalize(text)
    if len(t) > 40:
        return None
    rest = squash(FILLER.sub(" ", t))
    if len(rest) < 2:
        return None
    found = ents.province(text)
    if found and _covers(ents, rest, found):
        return str(found)
    if len(rest) < 4 or not re.fullmatch(r"[\u0e00-\u0e7f]+", rest):
        return None
    close = difflib.get_close_matches(rest, _near(ents, rest), n=1, cutoff=0.8)
    return dict(ents.aliases)[close[0]] if close else None


def _near(ents: Any, rest: str) -> list[str]:
    """Aliases a typo of `rest` could be: about as long, sharing its first or last letters
    (difflib over all 500 aliases costs a millisecond a message)."""
    table = getattr(ents, "_by_length", None)
    if table is None:
        table = {}
        for k, _ in ents.aliases:
            if len(k) >= 4:
                table.setdefault(len(k), []).append(k)
        ents._by_length = table
    return [k for n in range(len(rest) - 2, len(rest) + 3) for k in table.get(n, ())
            if k[0] == rest[0] or k[-2:] == rest[-2:]]  # fmt: skip


def _covers(ents: Any, rest: str, province: str) -> bool:
    """The province's name or one of its aliases is all that is left."""
    names = {k for k, v in ents.aliases if v == province} | {k for k, v in ents.latin_name.items() if v == province}
    names |= {k for k, v in ents.whole_only.items() if v == province}
    return rest in names or rest.replace(" ", "") in names


def center_ref(text: str) -> int | None:
    """1-11 for a center named by its number, else None."""
    m = CENTER.search(normalize(text))
    if not m:
        return None
    n = int(m.group(1))
    return n if 1 <= n <= 11 else None
