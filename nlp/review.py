"""The improvement loop: messages the bot was unsure about, for people to label.

Clarify, fallback and "don't know" answers put the message here (phone, ID and e-mail
redacted), keyed by an HMAC of the user ID so an erasure finds them, kept 30 days. `python -m
nlp review export` writes a TSV to label, with the FAQ entries the bot weighed for a "don't
know"; `python -m nlp review import FILE` appends lines labelled with an intent to
config/intents/ and lines labelled `faq:<entry id>` to config/faq-learned.yml as new ways of
asking that entry, validated (never a line of a blind test set). Labels given in the staff
console (bot/learning/) live in Redis until `python -m nlp review export --labels` writes them
here the same way (import_rows), for committing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

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
        "# Label each line: put the right intent in column 1 (one of: " + ", ".join(INTENTS) + "),",
        "# or faq:<entry id> (config/faq.yml; candidates in column 4) to add it to that FAQ entry's questions.",
        "# Delete lines that should not be learned. Columns: intent, text, bot's confidence, alternatives.",
    ]
    seen: set[str] = set()
    for it in sorted(items, key=lambda i: i.get("at", "")):
        text = " ".join(str(it.get("text", "")).split())
        if not text or text in seen:
            continue
        seen.add(text)
        alts = ",".join(f"{a}:{c}" for a, c in it.get("alternatives") or [])
        if it.get("kind") == "unknown":
            alts = ",".join(f"faq:{c}" for c in it.get("candidates") or []) or alts
        lines.append(f"{it.get('intent') or 'out_of_scope'}\t{text}\t{it.get('confidence') or ''}\t{alts}")
    return lines


class LabelError(ValueError):
    """A labelled line that cannot be learned; the message names the line."""


BLIND = ("tests/data/nlu_holdout.tsv", "tests/data/nlu_blind.tsv", "tests/data/faq_blind.tsv")


def _lines(path: Path) -> set[str]:
    rows = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return {normalize(r.split("\t", 1)[1]) for r in rows if "\t" in r and not r.startswith("#")}


def blind_texts(holdout: Path | None = None) -> set[str]:
    """The test sets' lines, normalized: never trained on, never learned."""
    return set().union(*(_lines(ROOT / b) for b in BLIND), _lines(holdout) if holdout else set())


def import_file(path: Path, intents_dir: Path = INTENTS_DIR, holdout: Path | None = None) -> dict[str, int]:
    rows: list[tuple[str, str, str]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) < 2:
            raise LabelError(f"{path}:{n}: expected intent<TAB>text")
        rows.append((f"{path}:{n}", cols[0].strip(), cols[1].strip()))
    return import_rows(rows, intents_dir, holdout)


def learnable(
    rows: list[tuple[str, str, str]],
    intents_dir: Path = INTENTS_DIR,
    holdout: Path | None = None,
    lenient: bool = False,
    training: list[tuple[str, str]] | None = None,
) -> dict[str, list[str]]:
    """Labelled rows (where, intent or faq:<entry id>, text) that are new, by label; a row that
    cannot be learned raises LabelError naming `where` (`lenient`: it is left out instead).
    `training`: intents_dir's examples, when the caller has read them already."""
    known = {normalize(t) for t, _ in (training if training is not None else load_training(intents_dir))}
    faq_path, learned_path = intents_dir.parent / "faq.yml", intents_dir.parent / "faq-learned.yml"
    faq = (yaml.safe_load(faq_path.read_text(encoding="utf-8")) if faq_path.exists() else None) or {}
    entries = {e["id"] for e in faq.get("entries", [])}
    learned = (yaml.safe_load(learned_path.read_text(encoding="utf-8")) if learned_path.exists() else None) or {}
    asked = [q for e in faq.get("entries", []) for q in (e.get("questions_th") or []) + (e.get("questions_en") or [])]
    known_faq = {normalize(str(q)) for q in asked + [q for qs in (learned.get("variants") or {}).values() for q in qs]}
    blind = blind_texts(holdout)
    adds: dict[str, list[str]] = {}
    for where, intent, text in rows:
        if intent not in INTENTS and not (intent.startswith("faq:") and intent[4:] in entries):
            if lenient:
                continue
            raise LabelError(f"{where}: unknown intent or FAQ entry {intent!r}")
        if not text and not lenient:
            raise LabelError(f"{where}: empty text")
        key = normalize(text)
        if not key or key in (known_faq if intent.startswith("faq:") else known):
            continue
        if key in blind:
            if lenient:
                continue
            raise LabelError(f"{where}: this text is in the blind holdout and must not be trained on")
        (known_faq if intent.startswith("faq:") else known).add(key)
        adds.setdefault(intent, []).append(text)
    return adds


def import_rows(
    rows: list[tuple[str, str, str]],
    intents_dir: Path = INTENTS_DIR,
    holdout: Path | None = None,
    lenient: bool = False,
) -> dict[str, int]:
    """Append the new labelled rows to config/intents/ and config/faq-learned.yml (all or nothing)."""
    adds = learnable(rows, intents_dir, holdout, lenient)
    learned = {i[4:]: t for i, t in adds.items() if i.startswith("faq:")}
    if learned:
        _learn(intents_dir.parent / "faq-learned.yml", learned)
    for intent, texts in adds.items():
        if intent.startswith("faq:"):
            continue
        path_i = intents_dir / f"{intent}.yml"
        if not path_i.read_text(encoding="utf-8").endswith("\n"):
            path_i.open("a", encoding="utf-8").write("\n")
        with path_i.open("a", encoding="utf-8") as f:
            for text in texts:
                f.write(f"  - {json.dumps(text, ensure_ascii=False)}\n")  # JSON strings are valid YAML
    return {i: len(t) for i, t in adds.items()}


def _learn(path: Path, learned: dict[str, list[str]]) -> None:
    """config/faq-learned.yml: entry id -> questions staff attached from the review list."""
    doc = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None) or {}
    variants = doc.get("variants") or {}
    for entry, texts in learned.items():
        variants[entry] = [*(variants.get(entry) or []), *texts]
    head = "# Questions attached to FAQ entries from the review list (python -m nlp review import).\n"
    body = yaml.safe_dump({"version": 1, "variants": variants}, allow_unicode=True, sort_keys=True)
    path.write_text(head + body, encoding="utf-8")
