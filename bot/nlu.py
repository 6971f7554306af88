"""The classifier as the worker sees it: loaded once, in the background where start-up must
stay fast (embedded `make run` answers /healthz at once), warmed up before the first message."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


class LazyClassifier:
    def __init__(self) -> None:
        self._model: Any = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

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
            self._model = load_or_train()
            self._model.predict("สวัสดี")  # builds newmm's trie now, not on a user's message
            log.info("NLU ready in %.2f s", time.perf_counter() - started)
        except BaseException as e:  # surfaced on the first message, and logged now
            self._error = e
            log.exception("NLU failed to load")
        finally:
            self._ready.set()

    def __call__(self, text: str) -> Any:
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError("NLU is not available") from self._error
        return self._model.predict(text)
