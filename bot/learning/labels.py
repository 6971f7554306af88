"""Review items as the console lists them, and the labels staff give them.

A review item (nlp/review.py, stored under the user's HMAC) is named by a hash of that key, its
time and its text; items with the same text are one row. Labelling or discarding a row marks each
of its items reviewed (`dip:nlu:reviewed`, trimmed to the review list's 30 days), so it leaves the
list on every host. A label (`dip:nlu:labels`) keeps the redacted text, an intent or
`faq:<entry id>`, who gave it and when, and no link to the user: it is training data, like a line
of config/intents/. A text labelled once is not listed again.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.store.base import REVIEW_TTL

REVIEWED = "dip:nlu:reviewed"
KIND, LABELS = "nlu", "labels"  # the store's record kind and key: dip:nlu:labels


@dataclass
class Row:
    id: str  # the newest item's hash: the row's address in the console
    text: str
    kind: str  # clarify | fallback | unknown
    at: str
    intent: str | None = None  # the bot's best guess
    confidence: float | None = None
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)  # "don't know": FAQ entries weighed; clarify: intents
    ids: list[str] = field(default_factory=list)  # every pending item with this text


def item_id(uh: str, item: dict[str, Any]) -> str:
    return hashlib.sha256(f"{uh}|{item.get('at', '')}|{item.get('text', '')}".encode()).hexdigest()[:16]


def text_of(item: dict[str, Any]) -> str:
    return " ".join(str(item.get("text", "")).split())


class Labels:
    def __init__(self, store: Any) -> None:
        self.store = store

    def rows(self) -> list[Row]:
        """Pending rows, newest first."""
        skip = set(self.store.index_members(REVIEWED))
        labelled = {text_of(label) for label in self.all()}
        rows: dict[str, Row] = {}
        for uh, item in self.store.reviews():
            iid, text = item_id(uh, item), text_of(item)
            if iid in skip or not text or text in labelled:
                continue
            row = rows.get(text)
            if row is None or str(item.get("at", "")) > row.at:
                rows[text] = Row(
                    iid,
                    text,
                    str(item.get("kind", "")),
                    str(item.get("at", "")),
                    item.get("intent"),
                    item.get("confidence"),
                    [(str(a), float(c)) for a, c in item.get("alternatives") or []],
                    [str(c) for c in item.get("candidates") or []],
                    row.ids if row else [],
                )
            rows[text].ids.append(iid)
        return sorted(rows.values(), key=lambda r: r.at, reverse=True)

    def row(self, iid: str) -> Row | None:
        return next((r for r in self.rows() if iid in r.ids), None)

    def label(self, row: Row, label: str, who: str) -> None:
        """`label`: an intent, or faq:<entry id> (the caller checked it)."""
        at = datetime.now(UTC).isoformat(timespec="seconds")
        self.store.append(KIND, LABELS, {"v": 1, "text": row.text, "label": label, "who": who, "at": at})
        self._reviewed(row)

    def discard(self, row: Row) -> None:
        self._reviewed(row)

    def all(self) -> list[dict[str, Any]]:
        return self.store.items(KIND, LABELS)

    def _reviewed(self, row: Row) -> None:
        for iid in row.ids:
            self.store.index_add(REVIEWED, iid)
        r = getattr(self.store, "r", None)
        if r is not None:  # the items themselves are gone after REVIEW_TTL
            r.zremrangebyscore(REVIEWED, 0, time.time() - REVIEW_TTL)
