"""Embedded store: one process, in memory (`make run`, `make chat`, most tests)."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from bot.store.base import CASES_OPEN, FOLLOWUP_TTL, REVIEW_TTL, TurnSave, opened_at, per_user_kinds, segment_of, ttl_of


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[tuple[str, str], tuple[str, float | None]] = {}
        self._marks: dict[str, str] = {}
        self._windows: dict[str, tuple[int, float]] = {}
        self._reviews: dict[str, list[tuple[float, str]]] = {}
        self._lists: dict[tuple[str, str], tuple[list[str], float | None]] = {}
        self._indexes: dict[str, dict[str, float]] = {}
        self._erasures: dict[str, str] = {}
        self._counts: dict[str, dict[str, int]] = {}
        self._sets: dict[str, set[str]] = {}  # the broadcast segment index (bot/broadcast/segments.py)

    def ping(self) -> bool:
        return True

    def snapshot(self, uh: str) -> dict[str, Any]:
        return {
            "user": self.get("user", uh),
            "state": self.get("state", uh),
            "consent": self.items("consent", uh),
            "profile": self.get("profile", uh),
            "draft": self.get("draft", uh),
            "leads": self.items("leads", uh),
            "heard": self.get("heard", uh),
        }

    def save_turn(self, uh: str, turn: TurnSave) -> None:
        if turn.before is not None:
            self.put("undo", uh, turn.before)
        if turn.user is not None:
            self.put("user", uh, turn.user)
        if turn.state is not None:
            self.put("state", uh, turn.state)
        if turn.replying:
            self.mark(turn.replying, "started")

    def mark(self, event_id: str, value: str) -> None:
        with self._lock:
            self._marks[event_id] = value

    def marked(self, event_id: str) -> str | None:
        with self._lock:
            return self._marks.get(event_id)

    def incr_window(self, key: str, ttl: int) -> int:
        with self._lock:
            count, expires = self._windows.get(key, (0, 0.0))
            if expires <= time.monotonic():
                count, expires = 0, time.monotonic() + ttl
            self._windows[key] = (count + 1, expires)
            return count + 1

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            item = self._records.get((kind, key))
            if item is None:
                return None
            raw, expires = item
            if expires is not None and expires <= time.monotonic():
                del self._records[(kind, key)]
                return None
            return json.loads(raw)  # a copy: callers never mutate the stored value

    def put(self, kind: str, key: str, value: dict[str, Any], ttl: int | None = None) -> None:
        ttl = ttl if ttl is not None else ttl_of(kind)
        expires = time.monotonic() + ttl if ttl else None
        with self._lock:
            self._records[(kind, key)] = (json.dumps(value, ensure_ascii=False), expires)

    def delete(self, kind: str, key: str) -> None:
        with self._lock:
            self._records.pop((kind, key), None)

    def add_review(self, uh: str, item: dict[str, Any], ttl: int = REVIEW_TTL) -> None:
        with self._lock:
            self._reviews.setdefault(uh, []).append((time.monotonic() + ttl, json.dumps(item, ensure_ascii=False)))

    def reviews(self) -> list[tuple[str, dict[str, Any]]]:
        now = time.monotonic()
        with self._lock:
            return [(uh, json.loads(raw)) for uh, items in self._reviews.items() for exp, raw in items if exp > now]

    def delete_reviews(self, uh: str) -> None:
        with self._lock:
            self._reviews.pop(uh, None)

    def append(self, kind: str, key: str, item: dict[str, Any], ttl: int | None = None) -> None:
        ttl = ttl or ttl_of(kind)
        with self._lock:
            items = self.items(kind, key)
            raw = [json.dumps(i, ensure_ascii=False) for i in [*items, item]]
            self._lists[(kind, key)] = (raw, time.monotonic() + ttl if ttl else None)

    def items(self, kind: str, key: str) -> list[dict[str, Any]]:
        with self._lock:
            raw, expires = self._lists.get((kind, key), ([], None))
            if expires is not None and expires <= time.monotonic():
                self._lists.pop((kind, key), None)
                return []
            return [json.loads(r) for r in raw]

    def replace_items(self, kind: str, key: str, items: list[dict[str, Any]], ttl: int | None = None) -> None:
        with self._lock:
            self._lists.pop((kind, key), None)
            for item in items:
                self.append(kind, key, item, ttl)

    def index_add(self, index: str, uh: str) -> None:
        with self._lock:
            self._indexes.setdefault(index, {})[uh] = time.time()

    def index_members(self, index: str) -> list[str]:
        with self._lock:
            members = self._indexes.get(index, {})
            return sorted(members, key=lambda m: members[m])

    def open_case(self, case_id: str, uh: str, record: dict[str, Any]) -> None:
        followup = record.get("kind") == "followup"
        with self._lock:
            self.put("case", case_id, {**record, "uh": uh}, ttl=FOLLOWUP_TTL if followup else None)
            if not followup:
                self._indexes.setdefault(CASES_OPEN, {})[case_id] = opened_at(record)

    def close_case(self, case_id: str) -> None:
        with self._lock:
            self._records.pop(("case", case_id), None)
            self._indexes.get(CASES_OPEN, {}).pop(case_id, None)

    def open_cases(self) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            found = [(i, self.get("case", i)) for i in self.index_members(CASES_OPEN)]
            for i in [i for i, record in found if record is None]:  # expired or deleted alone
                self._indexes[CASES_OPEN].pop(i, None)
            return [(i, record) for i, record in found if record is not None]

    def erase(self, uh: str, id_sha256: str, at: str) -> None:
        with self._lock:
            for case_id in [i for i, record in self.open_cases() if record.get("uh") == uh]:
                self.close_case(case_id)
            for kind in per_user_kinds():
                self._records.pop((kind, uh), None)
                self._lists.pop((kind, uh), None)
            self._reviews.pop(uh, None)
            for members in self._indexes.values():
                members.pop(uh, None)
            self._sets.pop(segment_of(uh), None)
            for name in [k for k, members in self._sets.items() if uh in members]:
                self.srem(name, uh)
            self._erasures[id_sha256] = at

    def erasures(self) -> dict[str, str]:
        with self._lock:
            return dict(self._erasures)

    def count_add(self, name: str, field: str, by: int) -> None:
        with self._lock:
            c = self._counts.setdefault(name, {})
            c[field] = c.get(field, 0) + by

    def counts(self, name: str) -> dict[str, int]:
        with self._lock:
            return dict(self._counts.get(name, {}))

    # Sets (Redis semantics: an emptied set is gone).
    def sadd(self, key: str, *members: str) -> None:
        with self._lock:
            if members:
                self._sets.setdefault(key, set()).update(members)

    def srem(self, key: str, *members: str) -> None:
        with self._lock:
            left = self._sets.get(key, set()) - set(members)
            if left:
                self._sets[key] = left
            else:
                self._sets.pop(key, None)

    def smembers(self, key: str) -> set[str]:
        with self._lock:
            return set(self._sets.get(key, ()))
