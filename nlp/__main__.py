"""`python -m nlp classify`: one message per line on stdin, one JSON object per line out."""

from __future__ import annotations

import argparse
import json
import sys

import nlp  # noqa: F401  (sets PyThaiNLP offline before it is imported)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m nlp")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("classify", help="classify stdin lines, JSON lines out")
    sub.add_parser("train", help="(re)build the cached model under var/nlu/")
    ev = sub.add_parser("evaluate", help="cross-validation + holdout report, written under reports/")
    ev.add_argument("--folds", type=int, default=5)
    args = ap.parse_args(argv)

    from nlp.classifier import load_or_train

    if args.cmd == "evaluate":
        from nlp.evaluate import run

        run(folds=args.folds)
        return 0
    if args.cmd == "train":
        load_or_train(retrain=True)
        print("model trained and cached under var/nlu/", file=sys.stderr)
        return 0
    from nlp.entities import EntityExtractor

    model, ents = load_or_train(), EntityExtractor.from_config()
    for line in sys.stdin:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        p = model.predict(text)
        out = {
            "text": text,
            "intent": p.intent,
            "confidence": p.confidence,
            "alternatives": [[i, c] for i, c in p.alternatives],
            "entities": ents.extract(text, p.intent).as_dict(),
        }
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
