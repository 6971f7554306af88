"""One voice: the bot never mixes ครับ and ค่ะ; quick-reply labels fit LINE's 20 characters."""

from __future__ import annotations

import re
import zlib

import pytest

from domain.config_files import ConfigError
from domain.texts import Texts
from tests.support import dialog, line
from tests.support.harness import Bot

MALE = re.compile(r"ครับ|คับ(?![ก-ฮ])")
FEMALE = re.compile(r"(?:ค่ะ|คะ)(?![ก-ฮะ-ฺ])")  # not คะแนน


def particles(text: str) -> set[str]:
    return ({"ครับ"} if MALE.search(text) else set()) | ({"ค่ะ"} if FEMALE.search(text) else set())


def test_the_thai_texts_use_only_the_configured_particle() -> None:
    t = Texts()
    assert t.particle["th"] in ("ครับ", "ค่ะ")
    other = {"ครับ", "ค่ะ"} - {t.particle["th"]}
    for key, template in t.table["th"].items():
        rendered = template.replace("{p}", t.particle["th"])
        assert not (particles(rendered) & other), f"config/texts/th.yml {key} mixes particles: {template}"


def test_replies_across_every_conversation_never_mix_particles(classifier) -> None:
    seen: set[str] = set()
    for conv in dialog.load():
        bot = Bot(classifier, staff=dialog.STAFF)
        user = line.uid(zlib.crc32(conv.name.encode()) + 0x1000)
        original = bot.messenger.reply
        captured: list[str] = []

        def keep(chat_id, token, messages, sending, original=original, captured=captured):
            captured += [m["text"] for m in messages if m["type"] == "text"]
            return original(chat_id, token, messages, sending)

        bot.messenger.reply = keep  # type: ignore[method-assign]
        dialog.play(bot, user, conv, stop_at_first=False)
        for text in captured:
            seen |= particles(text.split("ข้อความ:")[0])
    assert len(seen) <= 1, f"replies use both {seen}"


def test_every_quick_reply_label_fits_and_a_long_one_stops_start_up(tmp_path) -> None:
    t = Texts()
    for lang in ("th", "en"):
        for key, value in t.table[lang].items():
            if key.startswith("choice."):
                assert len(value) <= 20, (lang, key, value)
    import shutil

    from domain.config_files import CONFIG_DIR

    shutil.copytree(CONFIG_DIR / "texts", tmp_path / "texts")
    path = tmp_path / "texts" / "th.yml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("recommend: โครงการที่เหมาะ", "recommend: โครงการที่เหมาะกับฉันมาก"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"th\.yml: field choice\.recommend: 24 characters"):
        Texts(tmp_path / "texts")
