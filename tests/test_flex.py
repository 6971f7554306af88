"""Flex cards from config/flex: every program and center card renders, within LINE's limits."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.messenger.render import MAX_ALT, flex_size, to_line, utf16_len
from domain.config_files import ConfigError
from domain.flex import load, render
from tests.support.harness import Bot

ROOT = Path(__file__).resolve().parent.parent


def test_the_helpers_repeat_and_drop() -> None:
    t = {"contents": [{"$each": "xs", "item": {"text": "- {item}"}}, {"$if": "why", "then": {"text": "{why}"}}]}
    assert render(t, {"xs": ["a", "b"], "why": ""}) == {"contents": [{"text": "- a"}, {"text": "- b"}]}
    assert render(t, {"xs": [], "why": "w"}) == {"contents": [{"text": "w"}]}


def test_a_broken_template_names_the_file(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(ROOT / "config" / "flex", tmp_path / "flex")
    (tmp_path / "flex" / "center.json").write_text('{"type": "bubble",', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"center\.json"):
        load(tmp_path / "flex")


def test_every_program_card_in_both_languages_fits(bot: Bot) -> None:
    from domain.cards import bubble
    from tests.support.ctx import make_ctx

    for lang in ("th", "en"):
        ctx = make_ctx(bot, lang)
        cards = [bubble(ctx, p, why="เหมาะกับคุณเพราะ ตรงสาย ก, ตรงกับธุรกิจของคุณ") for p in ctx.catalog.programs]
        for c in cards:
            assert flex_size(c) <= 30_000 and not re.search(r"\{[a-z_]+\}", json.dumps(c, ensure_ascii=False))
        carousel = {"type": "carousel", "contents": cards[:12]}
        assert flex_size(carousel) <= 50_000


@pytest.mark.parametrize("says", ["ก", "ส", "อ", "อยู่หาดใหญ่ ติดต่อศูนย์ไหน"])
def test_cards_sent_carry_a_plain_text_fallback(bot: Bot, user: str, says: str) -> None:
    cards = [m for m in bot.say(user, says) if m["type"] == "flex"]
    assert cards
    for c in cards:
        assert 20 < utf16_len(c["altText"]) <= MAX_ALT and "{" not in c["altText"]


def test_alt_text_is_cut_to_lines_limit() -> None:
    from domain.replies import Card

    (msg,) = to_line([Card(alt="x", contents={"type": "bubble"}, fallback="ยาวมาก " * 600)])
    assert utf16_len(msg["altText"]) <= MAX_ALT
