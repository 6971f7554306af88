"""No full user ID, phone number or message text in the application's logs."""

from __future__ import annotations

import logging

from tests.support import line
from tests.support.harness import Bot
from tests.support.walks import FINISH, REGISTER_A_LITTLE, walk


def test_a_whole_conversation_logs_no_personal_data(classifier, caplog) -> None:
    staff = line.uid(0x5AFF)
    bot = Bot(classifier, staff=staff)
    user = line.uid(0x106)
    caplog.set_level(logging.DEBUG)
    bot.send(line.event("follow", user, follow={"isUnblocked": False}))
    walk(bot, user, REGISTER_A_LITTLE + FINISH)
    said = [
        "ขอคุยกับเจ้าหน้าที่ เบอร์ผม 0891112222",
        "กลับไปคุยกับบอท",
        "อะไรนะะะ",
        "ข้อมูลของฉัน",
        "ขอไฟล์ข้อมูล",
        "ลบข้อมูล",
        "ยืนยันลบข้อมูล",
    ]
    for text in said:
        bot.say(user, text)
    bot.post(line.text(user, "ลายเซ็นปลอม"), secret="forged")  # rejected webhooks log too
    logs = caplog.text
    assert "event" in logs and len(caplog.records) > 20  # the log is really captured
    assert user not in logs and staff not in logs
    for secret in ["0812345678", "081 234 5678", "0891112222", "โรงสีข้าวทองดี", "สมชาย", *said]:
        assert secret not in logs, secret
    assert bot.settings.channel_secret not in logs
