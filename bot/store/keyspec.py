"""What an entry of the key inventory says about a Redis key (bot/store/base.py KEYS)."""

from __future__ import annotations

from dataclasses import dataclass

DAY = 86_400
SEGMENT_TAG = "dip:{seg}"  # one hash tag: the index's sets combine on a cluster
SEGMENT_ALL = f"{SEGMENT_TAG}:all"


@dataclass(frozen=True)
class KeySpec:
    pattern: str
    data_class: str  # "operational" | "personal" | "auxiliary" (ARCHITECTURE.md, Personal data)
    owner: str  # the module that writes it
    ttl: int | None
    purpose: str

    @property
    def per_user(self) -> bool:
        return self.pattern.endswith("{uh}")

    @property
    def kind(self) -> str:
        return self.pattern.split(":")[1]
