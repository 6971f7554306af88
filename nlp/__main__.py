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
    rv = sub.add_parser("review", help="the review list: export to label, import labelled lines")
    rv_sub = rv.add_subparsers(dest="action", required=True)
    ex = rv_sub.add_parser("export", help="write unsure messages as TSV, or --labels (needs REDIS_URL)")
    ex.add_argument("--out", default="-", help="file to write (default: stdout)")
    ex.add_argument("--labels", action="store_true", help="write the console's labels into config/ instead")
    ex.add_argument("--config", default=None, help="the config directory --labels writes to (default: config/)")
    im = rv_sub.add_parser("import", help="append labelled lines (intent<TAB>text) to config/intents/")
    im.add_argument("file")
    args = ap.parse_args(argv)

    from nlp.classifier import load_or_train

    if args.cmd == "review":
        return review(args)
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


def review(args: argparse.Namespace) -> int:
    import os
    from pathlib import Path

    from nlp.review import LabelError, export_rows, import_file

    if args.action == "import":
        try:
            added = import_file(Path(args.file))
        except LabelError as e:
            print(f"nothing imported: {e}", file=sys.stderr)
            return 2
        print(f"added {sum(added.values())} examples: {added or 'none new'}; run `make train` then `make eval`")
        return 0
    url = os.environ.get("REDIS_URL")
    if not url:
        print(
            "REDIS_URL is not set: the review list lives in Redis (embedded mode keeps it in memory only)",
            file=sys.stderr,
        )
        return 2
    from bot.store.redis import RedisStore

    store = RedisStore.from_url(url)
    if args.labels:
        return export_labels(store.items("nlu", "labels"), args.config)  # dip:nlu:labels (bot/learning/labels.py)
    lines = export_rows([item for _, item in store.reviews()])
    text = "\n".join(lines) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{len(lines) - 2} messages written to {args.out}", file=sys.stderr)
    return 0


def export_labels(labels: list[dict[str, object]], config: str | None) -> int:
    """The labels staff gave in the console, appended to config/intents/ and config/faq-learned.yml
    like `review import`. Texts already there are skipped (running it twice adds nothing), and so
    are labels checked when given that no longer fit (a blind test line, an FAQ entry removed)."""
    from pathlib import Path

    from nlp.classifier import INTENTS_DIR
    from nlp.review import LabelError, import_rows

    intents = Path(config) / "intents" if config else INTENTS_DIR
    rows = [(f"label {n} ({x.get('who')}, {x.get('at')})", str(x.get("label")), str(x.get("text"))) for n, x in
            enumerate(labels)]  # fmt: skip
    try:
        added = import_rows(rows, intents, lenient=True)
    except (LabelError, OSError) as e:
        print(f"nothing written: {e}", file=sys.stderr)
        return 2
    print(f"{len(labels)} labels, {sum(added.values())} new examples written under {intents.parent}: "
          f"{added or 'none new'}; commit them, then `make train` and `make eval`")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
