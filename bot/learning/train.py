"""Retraining: the intent model on config/intents plus the labels staff gave, evaluated like
`python -m nlp evaluate` without its cross-validation (the holdout clean and mistyped, the second
blind set: accuracy, macro-F1, out-of-scope recall), stored as a version (models.py).

An admin's "retrain" queues a version and `start` runs `job` on RQ's BROADCAST_QUEUE, where the
worker's broadcast process runs it (broadcasts queued meanwhile wait for it: the full training
set takes 30-60 s on two cores); in embedded mode it runs in a thread of the web process. Labels on the blind test sets
or on FAQ entries no longer in config/faq.yml are left out (nlp.review.learnable).
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from bot.learning.labels import Labels
from bot.learning.models import Versions, compat, now

log = logging.getLogger(__name__)
# config/intents and the model cache var/nlu (None); read at each run: tests point them at a small set.
SOURCE: Path | None = None
CACHE: Path | None = None
JOB_TIMEOUT, FAILURE_TTL = 3600, 86_400
MEASURES = ("accuracy", "macro_f1", "oos_recall")


def start(store: Any, settings: Any, version: str) -> None:
    r = getattr(store, "r", None)
    if r is None:  # embedded: this process is the worker
        threading.Thread(target=train_version, args=(store, version), name="nlu-train", daemon=True).start()
        return
    from rq import Queue

    Queue(settings.BROADCAST_QUEUE, connection=r).enqueue(
        "bot.learning.train.job", version, job_id=f"nlu-{version}", job_timeout=JOB_TIMEOUT, result_ttl=0,
        failure_ttl=FAILURE_TTL,
    )  # fmt: skip


def job(version: str) -> None:
    """The RQ job: on the Redis the job came from."""
    from rq import get_current_job

    from bot.store.redis import RedisStore

    current = get_current_job()
    if current is None:
        raise RuntimeError("bot.learning.train.job runs as an RQ job")
    train_version(RedisStore(current.connection), version)


def train_version(store: Any, version: str) -> dict[str, Any]:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # one BLAS thread: the host's event consumers keep their cores
        return _train(store, version)


def _train(store: Any, version: str) -> dict[str, Any]:
    from nlp.classifier import IntentClassifier, load_settings

    versions = Versions(store)
    versions.update(version, status="training", started=now())
    try:
        rows, faq, used = training_rows(Labels(store).all())
        started = time.perf_counter()
        model = IntentClassifier.train(rows, load_settings())
        seconds = time.perf_counter() - started
        figures = evaluate(model)
        size = versions.save_model(version, model.a)
        record = versions.update(version, status="ready", done=now(), figures=figures, faq=faq, examples=len(rows),
                                 labels=used, seconds=round(seconds, 1), bytes=size, compat=compat())  # fmt: skip
        log.info("NLU version %s trained: %s", version, figures["holdout"])
    except Exception as e:
        log.exception("NLU version %s failed", version)
        return versions.update(version, status="failed", done=now(), error=f"{type(e).__name__}: {e}"[:300])
    baseline(versions)
    versions.prune()
    return record


def source() -> Path:
    from nlp.classifier import INTENTS_DIR

    return SOURCE or INTENTS_DIR


def training_rows(labels: list[dict[str, Any]]) -> tuple[list[tuple[str, str]], dict[str, list[str]], int]:
    """config/intents' examples plus the new labelled texts; the FAQ variants; how many labels count."""
    from nlp.classifier import load_training
    from nlp.review import learnable

    base = load_training(source())
    rows = [(f"label {n}", str(x.get("label", "")), str(x.get("text", ""))) for n, x in enumerate(labels)]
    adds = learnable(rows, source(), lenient=True, training=base)
    learned = [(t, i) for i, texts in adds.items() if not i.startswith("faq:") for t in texts]
    faq = {i[4:]: texts for i, texts in adds.items() if i.startswith("faq:")}
    return base + learned, faq, sum(len(t) for t in adds.values())


def evaluate(model: Any) -> dict[str, dict[str, float]]:
    from nlp.evaluate import BLIND, read_holdout, scores
    from nlp.typos import mistype

    holdout = read_holdout()
    sets = {"holdout": holdout, "mistyped": [(mistype(t), i) for t, i in holdout], "blind": read_holdout(BLIND)}
    out = {}
    for name, rows in sets.items():
        s = scores([i for _, i in rows], [model.predict(t).intent for t, _ in rows])
        out[name] = {m: round(float(s[m]), 4) for m in MEASURES}
    return out


def baseline(versions: Versions) -> None:
    """Figures of config/'s own model, once per change of config/intents (it is cached on disk)."""
    from nlp.classifier import cache_key, load_or_train, load_settings, load_training
    from nlp.tokenize import CACHE_DIR

    try:
        key = cache_key(load_training(source()), load_settings())
        if (versions.base() or {}).get("key") != key:
            versions.set_base(key, evaluate(load_or_train(source(), CACHE or CACHE_DIR)))
    except Exception:
        log.exception("figures of the config/ model")
