"""FAQ retrieval as the router uses it: the FAQ's questions and the programs' names and
summaries ranked by nlp.retrieval, and a decision (config/nlu.yml `faq`):

- answer: the best key covers enough of the question and is clearly ahead of the second;
- choices: two or three keys are close, so the user picks;
- none: nothing covers the question, so the bot says it does not know.

Built on first use (the web process never builds it), once per process, and again when the
classifier's active version (bot/nlu.py `learned()`) changes: that version's questions staff
attached to FAQ entries in the console are more ways of asking those entries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from nlp.retrieval import Ranked, Ranker


@dataclass(frozen=True)
class Found:
    kind: str  # answer | choices | none
    keys: list[str] = field(default_factory=list)  # "faq:<id>" or "program:<id>", best first
    ranked: list[Ranked] = field(default_factory=list)


def documents(catalog: Any, learned: dict[str, list[str]] | None = None) -> list[tuple[str, str]]:
    docs: list[tuple[str, str]] = []
    for e in catalog.faq.entries:
        docs += [(f"faq:{e.id}", q) for q in [e.topic, *catalog.faq.questions(e), *(learned or {}).get(e.id, [])]]
    for p in catalog.programs:
        docs += [(f"program:{p.id}", t) for t in [p.name_th, p.name_en, *p.aliases, p.summary_th, p.summary_en]]
    return docs


Learned = Callable[[], tuple[str | None, dict[str, list[str]]]]


class FaqSearch:
    def __init__(self, catalog: Any, settings: dict[str, Any], learned: Learned | None = None) -> None:
        faq = settings.get("faq") or {}
        self.catalog = catalog
        self.coverage = float(faq.get("coverage", 0.6))
        self.ratio = float(faq.get("ratio", 0.8))
        self.terms = list(settings.get("terms") or [])
        self.learned = learned
        self._ranker: Ranker | None = None
        self._version: str | None = None
        self._lock = threading.Lock()

    def ranker(self) -> Ranker:
        version, extra = self.learned() if self.learned is not None else (None, {})
        with self._lock:
            if self._ranker is None or version != self._version:
                from nlp.tokenize import load_dictionary

                self._ranker = Ranker(documents(self.catalog, extra), load_dictionary(self.terms))
                self._version = version
            return self._ranker

    def __call__(self, text: str) -> Found:
        ranked = self.ranker().rank(text, top=3)
        fits = [r for r in ranked if r.coverage >= self.coverage]
        if not fits or fits[0] is not ranked[0]:
            return Found("none", [r.key for r in ranked], ranked)
        close = [r for r in fits if r.score >= self.ratio * fits[0].score]
        if len(close) == 1:
            return Found("answer", [fits[0].key], ranked)
        return Found("choices", [r.key for r in close], ranked)
