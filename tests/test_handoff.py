"""Human handoff: quiet bot, staff alert with a way to close, 24 h limit, office hours."""

from __future__ import annotations

import re
from datetime import datetime

from domain.clock import BANGKOK
from tests.support import line
from tests.support.harness import Bot, quick_texts, texts

STAFF = line.uid(0x5AFF)


def open_case(bot: Bot, user: str) -> str:
    reply = bot.say(user, "ขอคุยกับเจ้าหน้าที่หน่อยครับ เรื่องขอใบรับรอง")
    said = texts(reply)
    assert "รับเรื่องแล้ว" in said and "08:30" in said
    return re.search(r"เลขเรื่อง (C[0-9A-Z]{13})", said).group(1)


def test_staff_get_the_request_and_close_the_case_and_the_bot_returns(classifier, user: str) -> None:
    bot = Bot(classifier, staff=STAFF)
    bot.post(line.text(user, "ขอคุยกับเจ้าหน้าที่หน่อยครับ เรื่องขอใบรับรอง"))
    bot.queue.run()
    sent = bot.sent()
    to_staff = [msgs for api, target, msgs in sent if api == "push" and target == STAFF]
    assert len(to_staff) == 1
    alert = texts(to_staff[0])
    case = re.search(r"เรื่อง (C[0-9A-Z]{13})", alert).group(1)
    assert "ขอใบรับรอง" in alert and f"ปิดเรื่อง {case}" in quick_texts(to_staff[0])

    # While staff have the chat, the bot stays quiet.
    assert bot.say(user, "ยังรออยู่นะครับ") == []

    # Staff close it by typing (LINE for PC has no quick replies).
    bot.post(line.text(STAFF, f"ปิดเรื่อง {case}"))
    bot.queue.run()
    sent = bot.sent()
    assert any(t == user and "ปิดเรื่องแล้ว" in texts(m) for _, t, m in sent)
    assert any(t == STAFF and f"ปิดเรื่อง {case} แล้ว" in texts(m) for _, t, m in sent)
    assert "สาย ก" in texts(bot.say(user, "ก"))


def test_the_bot_takes_over_again_after_24_hours(bot: Bot, user: str) -> None:
    open_case(bot, user)
    assert bot.say(user, "ก") == []
    bot.clock.advance(hours=24, minutes=1)
    assert "สาย ก" in texts(bot.say(user, "ก"))


def test_the_user_can_return_to_the_bot(bot: Bot, user: str) -> None:
    open_case(bot, user)
    assert "บอทกลับมาแล้ว" in texts(bot.say(user, "กลับไปคุยกับบอท"))
    assert "สาย ส" in texts(bot.say(user, "ส"))


def test_after_hours_the_user_is_told_when_staff_answer(classifier, user: str) -> None:
    saturday_night = datetime(2026, 11, 28, 21, 0, tzinfo=BANGKOK)
    bot = Bot(classifier, now=saturday_night)
    assert "นอกเวลาทำการ" in texts(bot.say(user, "ขอคุยกับเจ้าหน้าที่"))


def test_closing_an_unknown_case_says_so(classifier) -> None:
    bot = Bot(classifier, staff=STAFF)
    assert "ไม่พบเรื่อง ABCDEF" in texts(bot.say(STAFF, "ปิดเรื่อง ABCDEF"))
