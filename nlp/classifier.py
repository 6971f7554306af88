"""Intent classifier: word n-grams (PyThaiNLP newmm) + char n-grams, logistic regression.

Trained from config/intents/<intent>.yml; the fitted model is cached under
var/nlu/<hash>.joblib, where the hash covers the training data, settings and library versions,
so start-up loads rather than trains.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlp.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
INTENTS_DIR = ROOT / "config" / "intents"
CACHE_DIR = ROOT / "var" / "nlu"
INTENTS = (
    "greeting",
    "program_agro",
    "program_creative",
    "program_smart",
    "mentor",
    "register",
    "funding",
    "contact",
    "help",
    "human",
    "unsubscribe",
    "privacy",
    "thanks",
    "out_of_scope",
)


@dataclass(frozen=True)
class Prediction:
    text: str
    intent: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    confident: bool = True


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


def words(text: str) -> list[str]:
    """Word unigrams and bigrams of normalized text (newmm, whitespace dropped)."""
    from pythainlp.tokenize import word_tokenize

    toks = [t for t in word_tokenize(text, engine="newmm", keep_whitespace=False) if t.strip()]
    return toks + [f"{a}_{b}" for a, b in itertools.pairwise(toks)]


def _settings(path: Path = ROOT / "config" / "nlu.yml") -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


class IntentClassifier:
    def __init__(self, pipeline: Any, settings: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.threshold = float(settings["threshold"])
        self.margin = float(settings["margin"])
        self.options = int(settings.get("clarify_options", 3))
        self.classes: list[str] = list(pipeline.classes_)

    @classmethod
    def train(cls, rows: list[tuple[str, str]], settings: dict[str, Any]) -> IntentClassifier:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        m = settings["model"]
        features = FeatureUnion(
            [
                ("word", TfidfVectorizer(analyzer=words, sublinear_tf=True, min_df=1)),
                ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(m["char_ngrams"]), sublinear_tf=True)),
            ]
        )
        pipe = Pipeline([("features", features), ("clf", LogisticRegression(C=float(m["C"]), max_iter=3000))])
        pipe.fit([normalize(t) for t, _ in rows], [i for _, i in rows])
        return cls(pipe, settings)

    def predict(self, text: str) -> Prediction:
        probs = self.pipeline.predict_proba([normalize(text)])[0]
        ranked = sorted(zip(self.classes, probs, strict=True), key=lambda p: -p[1])
        (top, p1), (_, p2) = ranked[0], ranked[1]
        alts = [(i, round(float(p), 4)) for i, p in ranked[1 : self.options]]
        confident = p1 >= self.threshold and (p1 - p2) >= self.margin
        return Prediction(text, top, round(float(p1), 4), alts, confident)


def cache_key(rows: list[tuple[str, str]], settings: dict[str, Any]) -> str:
    import pythainlp
    import sklearn

    h = hashlib.sha256()
    h.update(
        json.dumps(
            [rows, settings, sklearn.__version__, pythainlp.__version__], ensure_ascii=False, sort_keys=True
        ).encode()
    )
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:16]


def load_or_train(
    directory: Path = INTENTS_DIR, cache_dir: Path = CACHE_DIR, retrain: bool = False
) -> IntentClassifier:
    import joblib

    rows, settings = load_training(directory), _settings()
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
    joblib.dump(model.pipeline, tmp)
    os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the whole new one
    return model
