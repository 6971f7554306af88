"""The improvement loop: messages the bot was unsure about, for people to label.

Clarify and fallback answers put the message here (phone, ID and e-mail redacted), keyed by
an HMAC of the user ID so an erasure finds them, kept 30 days. `python -m nlp review export`
writes a TSV to label; `python -m nlp review import FILE` appends the labelled lines to
config/intents/, validated (never a line of the blind holdout).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from nlp.classifier import INTENTS, INTENTS_DIR, ROOT, load_training
from nlp.normalize import normalize

RETENTION_DAYS = 30
ID_NUMBER = re.compile(r"(?<!\d)\d(?:[\s-]?\d){12}(?!\d)")  # Thai national ID: 13 digits
PHONE = re.compile(r"(?<!\d)(?:\+?66|0)(?:[\s.-]?\d){8,9}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")
THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def redact(text: str) -> str:
    text = text.translate(THAI_DIGITS)
    text = ID_NUMBER.sub("<id>", text)
    text = PHONE.sub("<phone>", text)
    return EMAIL.sub("<email>", text)[:500]


def item(text: str, prediction: Any, kind: str, at: str) -> dict[str, Any]:
    return {
        "v": 1,
        "kind": kind,
        "at": at,
        "text": redact(text),
        "intent": getattr(prediction, "intent", None),
        "confidence": getattr(prediction, "confidence", None),
        "alternatives": [list(a) for a in getattr(prediction, "alternatives", [])],
    }


def export_rows(items: list[dict[str, Any]]) -> list[str]:
    lines = [
        "# Label each line: put the right intent in column 1 (one of: " + ", ".join(INTENTS) + ").",
        "# Delete lines that should not be learned. Columns: intent, text, bot's confidence, alternatives.",
    ]
    seen: set[str] = set()
    for it in sorted(items, key=lambda i: i.get("at", "")):
        text = " ".join(str(it.get("text", "")).split())
        if not text or text in seen:
            continue
        seen.add(text)
        alts = ",".join(f"{a}:{c}" for a, c in it.get("alternatives") or [])
        lines.append(f"{it.get('intent') or 'out_of_scope'}\t{text}\t{it.get('confidence') or ''}\t{alts}")
    return lines


class LabelError(ValueError):
    """A labelled line that cannot be learned; the message names the line."""


def import_file(
    path: Path, intents_dir: Path = INTENTS_DIR, holdout: Path = ROOT / "tests/data/nlu_holdout.tsv"
) -> dict[str, int]:
    known = {normalize(t) for t, _ in load_training(intents_dir)}
    blind = (
        {normalize(line.split("\t", 1)[1]) for line in holdout.read_text(encoding="utf-8").splitlines() if "\t" in line}
        if holdout.exists()
        else set()
    )
    adds: dict[str, list[str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise LabelError(f"{path}:{n}: expected intent<TAB>text")
        intent, text = cols[0].strip(), cols[1].strip()
        if intent not in INTENTS:
            raise LabelError(f"{path}:{n}: unknown intent {intent!r}")
        if not text:
            raise LabelError(f"{path}:{n}: empty text")
        key = normalize(text)
        if key in known:
            continue
        if key in blind:
            raise LabelError(f"{path}:{n}: this text is in the blind holdout and must not be trained on")
        known.add(key)
        adds.setdefault(intent, []).append(text)
    for intent, texts in adds.items():
        path_i = intents_dir / f"{intent}.yml"
        if not path_i.read_text(encoding="utf-8").endswith("\n"):
            path_i.open("a", encoding="utf-8").write("\n")
        with path_i.open("a", encoding="utf-8") as f:
            for text in texts:
                f.write(f"  - {json.dumps(text, ensure_ascii=False)}\n")  # JSON strings are valid YAML
    return {i: len(t) for i, t in adds.items()}
