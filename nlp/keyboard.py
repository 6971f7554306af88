"""Undo a word typed with the keyboard on the English layout: "l;ylfu" -> "สวัสดี".

A Latin token is converted only when it is not an English word the model knows and its Thai
reading is made entirely of dictionary words; "ok" (นา, a Thai word) stays "ok".
"""

from __future__ import annotations

import re

from pythainlp.util import eng_to_thai

from nlp.tokenize import segment, words_of

LATIN_TOKEN = re.compile(r"^[!-~]{2,}$")  # printable ASCII: the Thai layout uses every key
# Punctuation or digits inside a word, or capitals after the first letter: the Thai layout.
NOT_ENGLISH = re.compile(r"[a-zA-Z][^a-zA-Z\s]+[a-zA-Z]|[;\[\]{}<>|`~^]|.[A-Z]")
ENGLISH_VOWEL = re.compile(r"[aeiouAEIOU]")


def fix_layout(text: str, dictionary: str, english: frozenset[str]) -> str:
    out = []
    for tok in text.split(" "):
        out.append(_fix(tok, dictionary, english) if LATIN_TOKEN.match(tok) else tok)
    return " ".join(out)


def _fix(tok: str, dictionary: str, english: frozenset[str]) -> str:
    if tok.lower() in english or not re.search("[a-zA-Z]", tok) or re.match(r"^https?:|@|\.(com|th|net)", tok):
        return tok
    marked = bool(NOT_ENGLISH.search(tok))
    if not marked and ENGLISH_VOWEL.search(tok):
        return tok  # "mill", "ERP": plain English-looking words stay
    thai = eng_to_thai(re.sub(r"(.)\1{2,}", r"\1", tok))  # "ooooo": one key held down
    if not re.search("[\u0e01-\u0e2e]", thai):
        return tok
    parts = segment(thai, dictionary)
    words = words_of(dictionary)
    known = sum(len(p) for p in parts if p in words)
    # Punctuation inside the Latin token is a strong sign of the Thai layout (; = ว, . = ใ ...).
    need = 0.75 if marked else 1.0
    return thai if parts and known / len(thai) >= need and len(thai) >= 2 else tok
