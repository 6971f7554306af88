"""Features: word uni- and bigrams (nlpo3) and char_wb n-grams, plus char n-grams of the
tone-stripped text, since people drop or add tone marks (facts/THAI-NLP.md).

The same functions feed training (scikit-learn's TfidfVectorizer with a callable analyzer)
and the hand-written sparse predict path, so both see identical features.
"""

from __future__ import annotations

import itertools
import re

from nlp.normalize import strip_tones
from nlp.tokenize import segment

WHITE = re.compile(r"\s+")


class WordFeatures:
    """Uni- and bigrams of the text and, prefixed "~", of the text without tone marks."""

    def __init__(self, dictionary: str, toneless: bool = True) -> None:
        self.dictionary, self.toneless = dictionary, toneless

    def __call__(self, text: str) -> list[str]:
        grams = self._grams(text)
        if self.toneless:
            bare = strip_tones(text)
            grams += ["~" + g for g in (self._grams(bare) if bare != text else grams)]
        return grams

    def _grams(self, text: str) -> list[str]:
        toks = segment(text, self.dictionary)
        return toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)]


class CharFeatures:
    """scikit-learn's char_wb n-grams (each word padded with spaces), of the text and of
    its tone-stripped form (prefixed "~" so the two never collide)."""

    def __init__(self, low: int = 2, high: int = 4, toneless: bool = True) -> None:
        self.low, self.high, self.toneless = low, high, toneless

    def __call__(self, text: str) -> list[str]:
        grams = self._wb(text, "")
        if self.toneless:
            bare = strip_tones(text)
            if bare != text:
                grams += self._wb(bare, "~")
        return grams

    def _wb(self, text: str, prefix: str) -> list[str]:
        out: list[str] = []
        for w in WHITE.sub(" ", text).split():
            w = f" {w} "
            n_chars = len(w)
            for n in range(self.low, self.high + 1):
                if n > n_chars:
                    out.append(prefix + w)
                    break
                out += [prefix + w[i : i + n] for i in range(n_chars - n + 1)]
        return out
