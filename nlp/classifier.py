"""Intent classifier: word + char n-grams, TF-IDF, multinomial logistic regression.

scikit-learn fits it; prediction runs on a hand-written sparse path over the fitted arrays
(the same answers at a fraction of the cost: tests/test_nlu_model.py checks both agree).
The fitted arrays are cached under var/nlu/<hash>.joblib, the hash covering the training data,
settings, library versions and this package's code, so start-up loads rather than trains.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from nlp.features import CharFeatures, WordFeatures
from nlp.keyboard import fix_layout
from nlp.normalize import normalize, prepare
from nlp.tokenize import CACHE_DIR, load_dictionary
from nlp.typos import mistype

ROOT = Path(__file__).resolve().parent.parent
INTENTS_DIR = ROOT / "config" / "intents"
SETTINGS = ROOT / "config" / "nlu.yml"
INTENTS = (
    "greeting", "program_agro", "program_creative", "program_smart", "mentor", "register",
    "funding", "contact", "help", "human", "unsubscribe", "privacy", "thanks", "out_of_scope",
)  # fmt: skip


@dataclass(frozen=True)
class Prediction:
    text: str
    intent: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    confident: bool = True
    clean: str = ""  # the text as the model read it (keyboard layout fixed, normalized)


def load_training(directory: Path = INTENTS_DIR) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for intent in INTENTS:
        path = directory / f"{intent}.yml"
        with path.open(encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        if doc.get("intent") != intent:
            raise ValueError(f"{path}: field intent must be {intent!r}")
        examples = doc.get("examples") or []
        if not examples:
            raise ValueError(f"{path}: field examples is empty")
        rows += [(str(e), intent) for e in examples]
    return rows


def load_settings(path: Path = SETTINGS) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


class Pipeline:
    """Text -> cleaned text -> features; shared by training and prediction."""

    def __init__(self, settings: dict[str, Any], english: frozenset[str] = frozenset()) -> None:
        m = settings["model"]
        self.dictionary = load_dictionary(settings.get("terms") or [])
        self.english = english
        self.words = WordFeatures(self.dictionary, bool(m.get("toneless_words", True)))
        low, high = m["char_ngrams"]
        self.chars = CharFeatures(low, high, bool(m.get("toneless_chars", True)))

    def clean(self, text: str) -> str:
        return normalize(fix_layout(prepare(text), self.dictionary, self.english))


class IntentClassifier:
    def __init__(self, arrays: dict[str, Any], settings: dict[str, Any]) -> None:
        self.a = arrays
        # Plain lists: indexing a Python list per feature is far cheaper than a numpy scalar.
        self._word_idf = list(map(float, arrays["word_idf"]))
        self._char_idf = list(map(float, arrays["char_idf"]))
        self.classes: list[str] = list(arrays["classes"])
        self.threshold = float(settings["threshold"])
        self.margin = float(settings["margin"])
        self.options = int(settings.get("clarify_options", 3))
        self.pipe = Pipeline(settings, frozenset(arrays["english"]))
        self.fitted: tuple[Any, ...] | None = None

    # -- training --------------------------------------------------------------------------
    @classmethod
    def train(cls, rows: list[tuple[str, str]], settings: dict[str, Any]) -> IntentClassifier:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        english = frozenset(w for t, _ in rows for w in re.findall(r"[a-z]{2,}", normalize(t)))
        pipe = Pipeline(settings, english)
        m = settings["model"]
        # Mistyped copies (other seeds than the evaluation's) teach the quirks of phone typing.
        rows = rows + [(mistype(t, seed=100 + k), i) for k in range(int(m.get("augment", 0))) for t, i in rows]
        texts = [pipe.clean(t) for t, _ in rows]
        wv = TfidfVectorizer(analyzer=pipe.words, sublinear_tf=True)
        cv = TfidfVectorizer(analyzer=pipe.chars, sublinear_tf=True)
        x = hstack([wv.fit_transform(texts), cv.fit_transform(texts)]).tocsr()
        clf = LogisticRegression(C=float(m["C"]), max_iter=5000, class_weight=m.get("class_weight"))
        clf.fit(x, [i for _, i in rows])
        arrays = {
            "classes": list(clf.classes_),
            "word_vocab": dict(wv.vocabulary_),
            "word_idf": wv.idf_.astype(np.float64),
            "char_vocab": dict(cv.vocabulary_),
            "char_idf": cv.idf_.astype(np.float64),
            # Column-major so one feature's weights for every class are contiguous.
            "coef": np.asfortranarray(clf.coef_.astype(np.float64)),
            "intercept": clf.intercept_.astype(np.float64),
            "english": sorted(english),
        }
        model = cls(arrays, settings)
        model.fitted = (wv, cv, clf)  # scikit-learn's own objects, kept in memory (tests compare)
        return model

    # -- prediction (hand-written sparse path) ---------------------------------------------
    @staticmethod
    def _block(grams: list[str], vocab: dict[str, int], idf: list[float], offset: int) -> tuple[list[int], list[float]]:
        counts: dict[int, int] = {}
        for g in grams:
            j = vocab.get(g)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return [], []
        idx = list(counts)
        vals = [(1.0 + math.log(counts[j])) * idf[j] for j in idx]  # sublinear tf * idf
        norm = math.sqrt(sum(v * v for v in vals))
        return [j + offset for j in idx], [v / norm for v in vals]

    def proba(self, text: str, clean: str | None = None) -> np.ndarray:
        a = self.a
        clean = clean if clean is not None else self.pipe.clean(text)
        wi, wvals = self._block(self.pipe.words(clean), a["word_vocab"], self._word_idf, 0)
        ci, cvals = self._block(self.pipe.chars(clean), a["char_vocab"], self._char_idf, len(self._word_idf))
        idx = wi + ci
        scores = a["intercept"] + (a["coef"][:, idx] @ np.asarray(wvals + cvals) if idx else 0.0)
        scores = np.exp(scores - scores.max())
        return scores / scores.sum()

    def predict(self, text: str) -> Prediction:
        clean = self.pipe.clean(text)
        probs = self.proba(text, clean)
        order = np.argsort(-probs)
        top, second = int(order[0]), int(order[1])
        p1, p2 = float(probs[top]), float(probs[second])
        alts = [(self.classes[int(i)], round(float(probs[int(i)]), 4)) for i in order[1 : self.options]]
        confident = p1 >= self.threshold and (p1 - p2) >= self.margin
        return Prediction(text, self.classes[top], round(p1, 4), alts, confident, clean)


def cache_key(rows: list[tuple[str, str]], settings: dict[str, Any]) -> str:
    import pythainlp
    import sklearn

    h = hashlib.sha256()
    h.update(
        json.dumps(
            [rows, settings, sklearn.__version__, pythainlp.__version__, np.__version__],
            ensure_ascii=False,
            sort_keys=True,
            default=str,
        ).encode()
    )
    for module in sorted(Path(__file__).parent.glob("*.py")):
        h.update(module.read_bytes())
    return h.hexdigest()[:16]


def load_or_train(
    directory: Path = INTENTS_DIR, cache_dir: Path = CACHE_DIR, retrain: bool = False
) -> IntentClassifier:
    import joblib

    rows, settings = load_training(directory), load_settings()
    path = cache_dir / f"{cache_key(rows, settings)}.joblib"
    if path.exists() and not retrain:
        try:
            return IntentClassifier(joblib.load(path), settings)
        except Exception:  # a truncated or foreign file: retrain and replace it
            pass
    model = IntentClassifier.train(rows, settings)
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    os.close(fd)
    joblib.dump(model.a, tmp)
    os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one
    return model
