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
BLIND = ROOT / "tests" / "data" / "blind_conversations.yml"


def main() -> int:
    import logging

    from bot.nlu import LazyClassifier

    logging.disable(logging.WARNING)
    classifier = LazyClassifier().start(background=False)
    conversations = dialog.load_file(BLIND)
    turns, failures = 0, []
    for conv in conversations:
        bot = Bot(classifier, staff=dialog.STAFF)
        outcome = dialog.play(bot, line.uid(zlib.crc32(conv.name.encode()) + 0x2000), conv, stop_at_first=False)
        turns += outcome.turns
        failures += [(conv.name, f) for f in outcome.failed]
    passed = turns - len(failures)
    lines = [
        "# Blind conversations",
        "",
        f"{len(conversations)} conversations, {turns} checked turns: {passed} passed ({passed / turns:.1%}).",
        "",
        "## Failed turns",
        "",
    ]
    lines += [f"### {name}\n\n```\n{failure}\n```\n" for name, failure in failures] or ["none"]
    report = "\n".join(lines) + "\n"
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "conversations-eval.md").write_text(report, encoding="utf-8")
    print(lines[2])
    print("written: reports/conversations-eval.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
