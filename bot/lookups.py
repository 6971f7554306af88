"""Read-only views of other records for handlers (domain.context.Lookups), backed by the store."""

from __future__ import annotations

from typing import Any

from bot.privacy import collect
from bot.store import Store


class StoreLookups:
    def __init__(self, store: Store, uh: str, settings: Any = None, catalog: Any = None) -> None:
        self.store, self.uh, self.settings, self.catalog = store, uh, settings, catalog

    def broadcast_preview(self, segment: dict[str, Any]) -> dict[str, Any] | None:
        """Recipients, messages and quota left for a staff member's draft; None without Redis."""
        r = getattr(self.store, "r", None)
        if r is None or self.settings is None:
            return None
        from bot.broadcast.compose import Desk

        return Desk(self.settings, r, self.catalog).preview(segment)

    def case(self, case_id: str) -> dict[str, Any] | None:
        return self.store.get("case", case_id)

    def lead(self, lead_id: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        ref = self.store.get("leadref", lead_id)
        if not ref:
            return None
        lead = next((x for x in self.store.items("leads", ref["uh"]) if x["id"] == lead_id), None)
        return (lead, self.store.get("user", ref["uh"]) or {}) if lead else None

    def intro(self, intro_id: str) -> dict[str, Any] | None:
        return self.store.get("intro", intro_id)

    def mentor_load(self) -> dict[str, int]:
        return self.store.counts("dip:mentor-load")

    def mydata(self) -> dict[str, Any]:
        return collect(self.store, self.uh)
