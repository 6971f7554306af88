"""Clean chat text before features and entities: the quirks of facts/THAI-NLP.md."""

from __future__ import annotations

import functools
import re
import unicodedata

from pythainlp.util import normalize as thai_normalize

ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
LAUGH = re.compile(r"(?<!\d)5{3,}(?!\d)|(?:ha){2,}|(?:ฮ่า){2,}|(?:อิ){2,}")
REPEAT = re.compile(r"([^\d])\1{2,}")  # three or more of one letter: มากกกก, ค่าาาา, pleaseeee (never digits)
EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\ufe0f\u200d\U0001f1e6-\U0001f1ff]+")
SPACES = re.compile(r"\s+")
TONES = re.compile("[\u0e48-\u0e4b\u0e47\u0e4c]")  # ่ ้ ๊ ๋ ็ ์


def prepare(text: str) -> str:
    """Case-preserving first pass (the keyboard-layout fix needs the case: "F" is โ, "f" is ด)."""
    text = unicodedata.normalize("NFC", text[:2000])  # a 10,000-char paste is classified by its start
    return ZERO_WIDTH.sub("", text).translate(THAI_DIGITS)


@functools.lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    text = prepare(text).lower()
    text = EMOJI.sub(" ", text)
    text = LAUGH.sub(" ", text)
    text = REPEAT.sub(r"\1", text)
    text = thai_normalize(text)
    return SPACES.sub(" ", text).strip()


PARTICLES = re.compile(r"(ครับ|คับ|ค้าบ|ค่ะ|คะ|ค่า|จ้า|จ้ะ|นะ|please|pls)+$")


def command_key(text: str) -> str:
    """ยกเลิกครับ, 'ยกเลิก ', Cancel! -> one key: lower, no spaces, no punctuation or particles.
    Typed commands and typed answers (router, form) are compared on this key."""
    t = re.sub(r"[\s\"'!?.,:;()\[\]]+", "", text.lower().translate(THAI_DIGITS))
    return PARTICLES.sub("", t) or t


def strip_tones(text: str) -> str:
    return TONES.sub("", text)


def squash(text: str) -> str:
    """Space- and tone-free form for entity matching: tokenizers split misspelled names."""
    return strip_tones(SPACES.sub("", text.lower()))


def is_english(text: str) -> bool | None:
    """True for Latin-script text, False for Thai, None when it cannot tell (emoji, digits)."""
    thai = sum(1 for ch in text if "\u0e00" <= ch <= "\u0e7f")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    if thai == 0 and latin == 0:
        return None
    return latin > 2 * thai and latin >= 2
