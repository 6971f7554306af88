"""FAQ retrieval, measured (make eval): the blind set tests/data/faq_blind.tsv, written by a helper
from docs/faq-topics.md only, scored with the retrieval and thresholds the bot uses.

- in scope: top-1 accuracy (the first FAQ entry ranked is the expected one), and what the bot
  would do: answer right, answer wrong, offer choices (with or without the right one), "don't know";
- out of scope: the share the bot answers (an FAQ entry or a program), offers choices for, or
  says "don't know" to.

`--dev` scores the tuning data instead: each FAQ question variant left out of the index in turn
(leave-one-out) and tests/data/faq_dev_oos.tsv. Writes reports/faq-eval.md.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def read(path: Path) -> list[tuple[str, str]]:
    rows = path.read_text(encoding="utf-8").splitlines()
    return [(a.strip(), b.strip()) for a, b in (r.split("\t", 1) for r in rows if "\t" in r and not r.startswith("#"))]


def score(search, rows: list[tuple[str, str]]) -> tuple[dict[str, float], list[str]]:
    c: collections.Counter[str] = collections.Counter()
    misses: list[str] = []
    for expected, text in rows:
        found = search(text)
        ranked = [r.key for r in search.ranker().rank(text, top=40)]
        first = next((k[4:] for k in ranked if k.startswith("faq:")), None)
        if expected == "none":
            c["oos"] += 1
            c[f"oos_{found.kind}"] += 1
            if found.kind == "answer":
                misses.append(f"out of scope, answered with {found.keys[0]}: {text}")
            continue
        c["in"] += 1
        c["top1"] += first == expected
        key = f"faq:{expected}"
        if found.kind == "answer":
            c["answer_right" if found.keys[0] == key else "answer_wrong"] += 1
        elif found.kind == "choices":
            c["choices_right" if key in found.keys else "choices_wrong"] += 1
        else:
            c["dont_know"] += 1
        if first != expected or found.kind != "answer" or found.keys[0] != key:
            misses.append(f"{expected}: {found.kind} {found.keys[:3]} (first FAQ entry {first}): {text}")
    n_in, n_oos = max(c["in"], 1), max(c["oos"], 1)
    figures = {
        "in_scope": c["in"],
        "top1": c["top1"] / n_in,
        "answered_right": c["answer_right"] / n_in,
        "answered_wrong": c["answer_wrong"] / n_in,
        "choices_with_right": c["choices_right"] / n_in,
        "choices_without_right": c["choices_wrong"] / n_in,
        "dont_know": c["dont_know"] / n_in,
        "out_of_scope": c["oos"],
        "oos_answered": c["oos_answer"] / n_oos,
        "oos_choices": c["oos_choices"] / n_oos,
        "oos_dont_know": c["oos_none"] / n_oos,
    }
    return figures, misses


def details_table(catalog) -> list[str]:
    """The programs x five follow-ups, by status: confirmed facts, typical wording, not confirmed."""
    from domain.knowledge import ASPECTS

    c = collections.Counter((a, p.details.get(a).status) for p in catalog.programs for a in ASPECTS)
    out = ["| follow-up | confirmed | typical | not confirmed |", "|---|---|---|---|"]
    for a in ASPECTS:
        out.append(f"| {a} | {c[(a, 'confirmed')]} | {c[(a, 'typical')]} | {c[(a, 'unknown')]} |")
    total = [sum(c[(a, s)] for a in ASPECTS) for s in ("confirmed", "typical", "unknown")]
    out.append(f"| all {len(catalog.programs)} programs x {len(ASPECTS)} | {total[0]} | {total[1]} | {total[2]} |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", action="store_true", help="score the tuning data, not the blind set")
    args = ap.parse_args()
    import nlp  # noqa: F401
    from bot.faq import FaqSearch, documents
    from domain.catalog import Catalog
    from nlp.classifier import load_settings
    from nlp.retrieval import Ranker
    from nlp.tokenize import load_dictionary

    catalog, settings = Catalog(), load_settings()
    if args.dev:
        rows = read(ROOT / "tests/data/faq_dev_oos.tsv")
        figures, misses = score(FaqSearch(catalog, settings), rows)
        all_misses = misses
        docs = documents(catalog)
        loo: collections.Counter[str] = collections.Counter()
        for e in catalog.faq.entries:
            for q in catalog.faq.questions(e):
                search = FaqSearch(catalog, settings)
                search._ranker = Ranker([d for d in docs if d != (f"faq:{e.id}", q)], load_dictionary(search.terms))
                f, m = score(search, [(e.id, q)])
                for k in ("top1", "answered_right", "dont_know"):
                    loo[k] += f[k]
                loo["n"] += 1
                all_misses += m
        print(f"dev out of scope: {figures['oos_answered']:.3f} answered, {figures['oos_choices']:.3f} choices")
        n = loo["n"]
        print(f"dev leave-one-out: top1 {loo['top1'] / n:.3f}, answered right {loo['answered_right'] / n:.3f}, "
              f"don't know {loo['dont_know'] / n:.3f} over {n}")  # fmt: skip
        for m in all_misses[:60]:
            print("  ", m)
        return 0
    rows = read(ROOT / "tests/data/faq_blind.tsv")
    figures, misses = score(FaqSearch(catalog, settings), rows)
    counts = details_table(catalog)
    lines = [
        "# FAQ retrieval on the blind set",
        "",
        "tests/data/faq_blind.tsv: written by a helper from docs/faq-topics.md only (never the",
        "entries' question variants), scored with the bot's own retrieval and thresholds",
        "(bot/faq.py, config/nlu.yml `faq`). Regenerated by `make eval`.",
        "",
        "| figure | value |",
        "|---|---|",
        *[f"| {k} | {v:.3f} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in figures.items()],
        "",
        "## Program details: how sure each answer is (config/programs.yml)",
        "",
        *counts,
        "",
        "## Every question not answered right at once",
        "",
        *[f"- {m}" for m in misses],
    ]
    (ROOT / "reports" / "faq-eval.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        f"faq blind: in-scope {figures['in_scope']} top1={figures['top1']:.3f} "
        f"answered_right={figures['answered_right']:.3f}; out-of-scope {figures['out_of_scope']} "
        f"answered={figures['oos_answered']:.3f} -> reports/faq-eval.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
