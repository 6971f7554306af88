"""Lexical retrieval for questions the intents do not cover: BM25 (bm25s) over the same
normalised, tone-free newmm tokens the classifier uses.

Each key (an FAQ entry, a program) is one document: every way of asking it (question variants,
a program's names and summary), as words and as character trigrams of the words, so a word
newmm splits differently or a letter typed wrong still shares most of its trigrams. (One
document per key ranks better than the best of its variants: 0.84 against 0.74 top-1 when
each variant is left out in turn.) Whether anything fits is judged by
coverage: the IDF-weighted share of the question's content words that the best key's own
questions contain (a word no document has weighs the most), so "ราคาทองวันนี้" fits nothing
however BM25 ranks it. A misspelt word (one letter off a known word of 4+ letters) counts as
that word.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.normalize import normalize, strip_tones
from nlp.tokenize import segment

# Words that say nothing about the topic: particles, pronouns, question and filler words.
STOP = frozenset(  # compared tone-free, like the tokens
    strip_tones(w)
    for w in """
    ครับ คับ ค้าบ ค่ะ คะ ค่า จ้า จ้ะ นะ น่ะ ละ ล่ะ หน่อย ด้วย บ้าง ไหม มั้ย มั๊ย ป่าว เปล่า หรือ หรอ
    เหรอ อะไร ยังไง อย่างไร ไง แบบไหน ที่ไหน เมื่อไหร่ เมื่อไร กี่ เท่าไหร่ เท่าไร ทำไม ใคร ผม ฉัน
    หนู เรา ดิฉัน พี่ น้อง คุณ เขา มัน ของ ที่ ซึ่ง และ กับ แล้ว ก็ จะ ได้ ให้ ไป มา อยู่ เป็น คือ
    มี ว่า ถ้า แต่ เพราะ ต้อง ควร อยาก ขอ ช่วย รบกวน สอบถาม ถาม หา ทราบ รู้ บอก เรื่อง ตอนนี้ นี้
    นั้น ครับผม สวัสดี ค่ะ ได้ไหม ได้มั้ย หรือเปล่า
    a an the is are am be do does did i me my we you your it of to for in on at and or how what when
    where which who why can could should would will there this that with about please
    """.split()  # noqa: SIM905 (a word list reads best as text)
)
PUNCT = re.compile(r"^[\W_]+$")


@dataclass(frozen=True)
class Ranked:
    key: str
    score: float
    coverage: float  # 0..1: how much of the question the key's own words cover


def trigrams(words: list[str]) -> list[str]:
    out = []
    for w in words:
        padded = f" {w} "
        out += ["#" + padded[i : i + 3] for i in range(max(1, len(padded) - 2))]
    return out


def _edits(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class Ranker:
    def __init__(self, docs: Iterable[tuple[str, str]], dictionary: str) -> None:
        import bm25s

        self.dictionary = dictionary
        words: dict[str, list[str]] = {}
        df: dict[str, int] = {}
        n = 0
        for key, text in docs:
            n += 1
            toks = self.tokens(text)
            words.setdefault(key, []).extend(toks)
            for t in set(toks):
                df[t] = df.get(t, 0) + 1  # per way of asking: a word every entry uses weighs little
        self.keys = [k for k, w in words.items() if w]
        self.vocab = {k: set(words[k]) for k in self.keys}
        self.idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        self.unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        self.deletes: dict[str, set[str]] = {}
        for t in df:
            if len(t) >= 4:
                for d in _edits(t) | {t}:
                    self.deletes.setdefault(d, set()).add(t)
        self.bm25 = bm25s.BM25()
        self.bm25.index([words[k] + trigrams(words[k]) for k in self.keys], show_progress=False)

    def tokens(self, text: str) -> list[str]:
        # Split first (the dictionary has the tone marks), then drop the marks: people add or omit them.
        words = (strip_tones(x.strip()) for x in segment(normalize(text), self.dictionary))
        return [w for w in words if w and w not in STOP and not PUNCT.match(w)]

    def _known(self, word: str) -> str | None:
        """The indexed word a query word stands for: itself, or one letter off (typo)."""
        if word in self.idf:
            return word
        if len(word) < 4:
            return None
        near = {*self.deletes.get(word, ()), *(x for d in _edits(word) for x in self.deletes.get(d, ()))}
        return min(near, key=lambda w: (abs(len(w) - len(word)), w)) if near else None

    def rank(self, text: str, top: int = 3) -> list[Ranked]:
        words = self.tokens(text)
        mapped = [(w, self._known(w)) for w in words]
        query = [k for _, k in mapped if k]
        if not query:
            return []
        scores = self.bm25.get_scores(query + trigrams(words))
        order = sorted(((k, float(s)) for k, s in zip(self.keys, scores, strict=True) if s > 0), key=lambda kv: -kv[1])
        order = order[:top]
        weights = [(self.idf[k] if k else self.unseen_idf, k) for _, k in mapped]
        total = sum(w for w, _ in weights)
        return [Ranked(key, s, sum(w for w, k in weights if k in self.vocab[key]) / total) for key, s in order]
