"""The classifier as the worker sees it: loaded once, in the background where start-up must
stay fast (embedded `make run` answers /healthz at once), warmed up before the first message.

With a store, the version staff activated in the console (bot/learning/) replaces the model
built from config/: at start, and then when `dip:nlu:active` changes. Each process checks it at
most every CHECK_S seconds, in a thread (one GET; a message never waits on Redis), and swaps the
model once the new one is loaded; until then it answers with the old one. `learned()` gives the
version in use and the questions its labels attached to FAQ entries (bot/faq.py adds them).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)
CHECK_S = 30.0


class LazyClassifier:
    def __init__(self, store: Any = None, check_s: float = CHECK_S) -> None:
        self.store, self.check_s = store, check_s
        self._model: Any = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._learned: tuple[str | None, dict[str, list[str]]] = (None, {})
        self._seen: str | None = None  # the active version last read (loaded or not usable here)
        self._checked = 0.0
        self._swap = threading.Lock()

    def start(self, background: bool = True) -> LazyClassifier:
        if background:
            threading.Thread(target=self._load, name="nlu-load", daemon=True).start()
        else:
            self._load()
        return self

    def _load(self) -> None:
        try:
            import nlp  # noqa: F401  (PyThaiNLP offline switches first)
            from nlp.classifier import load_or_train

            started = time.perf_counter()
            if self.store is not None:
                self.refresh()  # the active version, if there is one
            if self._model is None:
                self._model = load_or_train()
                self._model.predict("สวัสดี")  # builds newmm's trie now, not on a user's message
            log.info("NLU ready in %.2f s (version %s)", time.perf_counter() - started, self._learned[0] or "config")
        except BaseException as e:  # surfaced on the first message, and logged now
            self._error = e
            log.exception("NLU failed to load")
        finally:
            self._ready.set()

    def __call__(self, text: str) -> Any:
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError("NLU is not available") from self._error
        if self.store is not None and time.monotonic() - self._checked >= self.check_s:
            self._checked = time.monotonic()
            threading.Thread(target=self.refresh, name="nlu-refresh", daemon=True).start()
        return self._model.predict(text)

    def learned(self) -> tuple[str | None, dict[str, list[str]]]:
        """The version in use (None: config/'s model) and its FAQ variants (entry id -> questions)."""
        return self._learned

    def refresh(self) -> bool:
        """Load the active version now if it is not the one read last; True when the model changed."""
        if self.store is None or not self._swap.acquire(blocking=False):
            return False
        try:
            from bot.learning.models import Versions
            from nlp.classifier import load_or_train

            self._checked = time.monotonic()
            versions = Versions(self.store)
            wanted = versions.active()
            if wanted == self._seen and (self._model is not None or wanted is None):
                return False
            loaded = versions.classifier(wanted) if wanted else (load_or_train(), {})
            self._seen = wanted
            if loaded is None:
                return False
            model, faq = loaded
            model.predict("สวัสดี")
            self._model, self._learned = model, (wanted, faq)
            log.info("NLU now answers with version %s", wanted or "config")
            return True
        except Exception:  # Redis away or a broken record: keep answering, look again later
            log.warning("NLU version check failed", exc_info=True)
            return False
        finally:
            self._swap.release()
