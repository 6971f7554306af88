"""A deterministic, seeded typo generator: the holdout as people mistype it on a phone.

One or two changes per line, chosen by a random generator seeded with the seed and the line:
dropped tone marks, a repeated last letter, spaces removed, one word typed on the English
keyboard layout, ครับ/ค่ะ slang (คับ ค้าบ จ้า), 555 or an emoji appended, Thai digits.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from pythainlp.util import arabic_digit_to_thai_digit, thai_to_eng

from nlp.normalize import strip_tones

THAI_WORD = re.compile(r"[\u0e01-\u0e4e]{2,}")
PARTICLE = re.compile(r"(ครับ|ค่ะ|คะ|นะคะ|นะครับ)")


def drop_tones(t: str, rng: random.Random) -> str:
    return strip_tones(t)


def repeat_last(t: str, rng: random.Random) -> str:
    t = t.rstrip()
    return t + t[-1] * rng.randint(2, 4) if t else t


def no_spaces(t: str, rng: random.Random) -> str:
    return t.replace(" ", "")


def english_layout(t: str, rng: random.Random) -> str:
    words = list(THAI_WORD.finditer(t))
    if not words:
        return t
    m = rng.choice(words)
    return t[: m.start()] + thai_to_eng(m.group()) + t[m.end() :]


def slang(t: str, rng: random.Random) -> str:
    new = rng.choice(["คับ", "ค้าบ", "จ้า", "ค่า"])
    return PARTICLE.sub(new, t, count=1) if PARTICLE.search(t) else f"{t} {new}"


def laugh_or_emoji(t: str, rng: random.Random) -> str:
    return t + rng.choice([" 555", "5555", " 😊", "🙏", " 555+", " 👍"])


def thai_digits(t: str, rng: random.Random) -> str:
    return arabic_digit_to_thai_digit(t) if re.search(r"\d", t) else t + rng.choice([" ๑", " ๒๐๒๕"])


CHANGES: list[Callable[[str, random.Random], str]] = [
    drop_tones,
    repeat_last,
    no_spaces,
    english_layout,
    slang,
    laugh_or_emoji,
    thai_digits,
]


def mistype(text: str, seed: int = 2569) -> str:
    rng = random.Random(f"{seed}:{text}")
    out = text
    for change in rng.sample(CHANGES, rng.choice([1, 2])):
        out = change(out, rng)
    return out
