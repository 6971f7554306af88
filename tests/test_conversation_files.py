"""Every conversation in tests/conversations/*.yml, on the memory store and on real Redis."""

from __future__ import annotations

import collections
import zlib

import pytest

from tests.support import dialog, line
from tests.support.harness import Bot

CONVERSATIONS = dialog.load()
THEMES = ("follow-ups", "form interruptions", "entities", "handoff", "privacy", "language")


def test_the_files_hold_enough_conversations_of_every_theme() -> None:
    names = [c.name for c in CONVERSATIONS]
    assert len(names) == len(set(names)), "conversation names must be unique"
    assert len(CONVERSATIONS) >= 80
    per_theme = collections.Counter(c.theme for c in CONVERSATIONS)
    for theme in THEMES:
        assert per_theme[theme] >= 10, (theme, per_theme[theme])
    short = [c.name for c in CONVERSATIONS if c.user_turns < 3]
    assert not short, f"fewer than 3 user turns: {short}"


def _user(conv: dialog.Conversation) -> str:
    return line.uid(zlib.crc32(conv.name.encode()) + 0x1000)


@pytest.mark.parametrize("conv", CONVERSATIONS, ids=[f"{c.theme}: {c.name}" for c in CONVERSATIONS])
def test_conversation_on_the_memory_store(classifier, conv: dialog.Conversation) -> None:
    bot = Bot(classifier, staff=dialog.STAFF)
    outcome = dialog.play(bot, _user(conv), conv)
    assert not outcome.failed, outcome.failed[0]


@pytest.mark.redis
@pytest.mark.parametrize("conv", CONVERSATIONS, ids=[f"{c.theme}: {c.name}" for c in CONVERSATIONS])
def test_conversation_on_real_redis(classifier, redis_url: str, redis_client, conv: dialog.Conversation) -> None:
    from tests.support.redis_bot import RedisBot

    bot = RedisBot(classifier, redis_url, staff=dialog.STAFF)
    outcome = dialog.play(bot, _user(conv), conv)
    assert not outcome.failed, outcome.failed[0]
