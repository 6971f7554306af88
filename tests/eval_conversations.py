"""`make eval` (second part): the blind conversations of tests/data/blind_conversations.yml.

Written by someone who saw only the README, the issue's list of behaviours and config/ (no code,
no tests, no training data); their expectations are never edited to fit the bot. Each checked
turn is scored on its own (a conversation goes on after a failed turn), on the memory store.
Writes reports/conversations-eval.md with the figure and every failed turn.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path

import nlp  # noqa: F401  (PyThaiNLP offline first)
from tests.support import dialog, line
from tests.support.harness import Bot

ROOT = Path(__file__).resolve().parents[1]
SETS = ("blind_conversations.yml", "blind_conversations_2.yml")


def main() -> int:
    import logging

    from bot.nlu import LazyClassifier

    logging.disable(logging.WARNING)
    classifier = LazyClassifier().start(background=False)
    lines = ["# Blind conversations", ""]
    for name in SETS:
        conversations = dialog.load_file(ROOT / "tests" / "data" / name)
        turns, failures = 0, []
        for conv in conversations:
            bot = Bot(classifier, staff=dialog.STAFF)
            outcome = dialog.play(bot, line.uid(zlib.crc32(conv.name.encode()) + 0x2000), conv, stop_at_first=False)
            turns += outcome.turns
            failures += [(conv.name, f) for f in outcome.failed]
        passed = turns - len(failures)
        summary = f"{name}: {len(conversations)} conversations, {turns} checked turns"
        summary += f", {passed} passed ({passed / turns:.1%})"
        print(summary)
        lines += [f"## {summary}", ""]
        lines += [f"### {conv}\n\n```\n{failure}\n```\n" for conv, failure in failures] or ["No failed turn.", ""]
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "conversations-eval.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("written: reports/conversations-eval.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
