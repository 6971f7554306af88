"""Model versions in the store, shared by every process on every host.

A version (`dip:nlu:version:<v>`) records who asked for it, its status (queued, training, ready,
failed), the training figures, the questions attached to FAQ entries, and `compat`: the nlp code
and library versions it was trained with. Its fitted arrays are `dip:nlu:model:<v>` (joblib,
compressed; raw bytes on Redis, base64 in the embedded store); the newest KEEP versions and the
active one keep them. `dip:nlu:active` names the version every process answers with (none: the
model built from config/). A version trained with other code is never loaded: its features
would not match, so the process stays on config/'s model until someone retrains.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
KIND, INDEX, KEEP = "nlu", "dip:nlu:versions", 5
BUSY_S = 3600  # a version queued or training longer than this is taken as dead


@functools.cache
def compat() -> str:
    """The nlp code and library versions a model's features depend on (read from the files, so
    the web process imports no scikit-learn to compare)."""
    from importlib.metadata import version

    h = hashlib.sha256(" ".join(version(p) for p in ("scikit-learn", "pythainlp", "numpy")).encode())
    for module in sorted((Path(__file__).resolve().parents[2] / "nlp").glob("*.py")):
        h.update(module.read_bytes())
    return h.hexdigest()[:16]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Versions:
    def __init__(self, store: Any) -> None:
        self.store = store
        self.r = getattr(store, "r", None)

    # -- records -----------------------------------------------------------------------------
    def new(self, who: str) -> str:
        version = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        while self.get(version) is not None:  # two in one second
            version = f"{version}x"
        self.store.put(KIND, f"version:{version}", {"v": 1, "version": version, "status": "queued", "who": who,
                                                    "at": now()})  # fmt: skip
        self.store.index_add(INDEX, version)
        return version

    def get(self, version: str) -> dict[str, Any] | None:
        return self.store.get(KIND, f"version:{version}")

    def update(self, version: str, **fields: Any) -> dict[str, Any]:
        record = {**(self.get(version) or {"v": 1, "version": version}), **fields}
        self.store.put(KIND, f"version:{version}", record)
        return record

    def newest(self, limit: int = 8) -> list[dict[str, Any]]:
        """The newest versions first."""
        names = list(reversed(self.store.index_members(INDEX)))[:limit]
        return [rec for v in names if (rec := self.get(v)) is not None]

    def busy(self) -> dict[str, Any] | None:
        """A version still queued or training (a retrain runs one at a time)."""
        for rec in self.newest(3):
            age = (datetime.now(UTC) - datetime.fromisoformat(rec["at"])).total_seconds()
            if rec.get("status") in ("queued", "training") and age < BUSY_S:
                return rec
        return None

    # -- the active version -----------------------------------------------------------------
    def active(self) -> str | None:
        rec = self.store.get(KIND, "active")
        return (rec or {}).get("version")

    def activate(self, version: str | None, who: str) -> None:
        self.store.put(KIND, "active", {"v": 1, "version": version, "who": who, "at": now()})

    def base(self) -> dict[str, Any] | None:
        """Figures of the model built from config/ alone (`key`: its training data's hash)."""
        return self.store.get(KIND, "base")

    def set_base(self, key: str, figures: dict[str, Any]) -> None:
        self.store.put(KIND, "base", {"v": 1, "key": key, "figures": figures, "at": now()})

    # -- fitted arrays ----------------------------------------------------------------------
    def save_model(self, version: str, arrays: dict[str, Any]) -> int:
        import joblib

        buf = io.BytesIO()
        joblib.dump(arrays, buf, compress=3)
        blob = buf.getvalue()
        if self.r is not None:
            self.r.set(f"dip:nlu:model:{version}", blob)
        else:
            self.store.put(KIND, f"model:{version}", {"v": 1, "b64": base64.b64encode(blob).decode()})
        return len(blob)

    def arrays(self, version: str) -> dict[str, Any] | None:
        import joblib

        if self.r is not None:
            blob = self.r.get(f"dip:nlu:model:{version}")
        else:
            rec = self.store.get(KIND, f"model:{version}")
            blob = base64.b64decode(rec["b64"]) if rec else None
        return joblib.load(io.BytesIO(blob)) if blob else None

    def classifier(self, version: str) -> tuple[Any, dict[str, list[str]]] | None:
        """The version's intent model and FAQ variants, or None when it cannot be used here."""
        from nlp.classifier import IntentClassifier, load_settings

        rec = self.get(version)
        if rec is None or rec.get("status") != "ready":
            log.warning("NLU version %s is not ready; keeping the model in use", version)
            return None
        if rec.get("compat") != compat():
            log.warning("NLU version %s was trained with other nlp code; retrain it", version)
            return None
        arrays = self.arrays(version)
        if arrays is None:
            log.warning("NLU version %s has no stored model", version)
            return None
        return IntentClassifier(arrays, load_settings()), dict(rec.get("faq") or {})

    def prune(self) -> None:
        """Drop the arrays of all but the newest KEEP versions and the active one."""
        keep, active = list(reversed(self.store.index_members(INDEX)))[:KEEP], self.active()
        for version in self.store.index_members(INDEX):
            rec = self.get(version)
            if version in keep or version == active or rec is None or rec.get("pruned"):
                continue
            if self.r is not None:
                self.r.delete(f"dip:nlu:model:{version}")
            else:
                self.store.delete(KIND, f"model:{version}")
            self.update(version, pruned=True)
