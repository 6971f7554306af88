"""Guidance that fits: conversations as data, on the embedded store and on real Redis.

Each step is (who, says, what they must then see). {intro} stands for the introduction id the
staff alert carried; "staff" steps are typed by a member of STAFF_USER_IDS.
"""

from __future__ import annotations

import re

import pytest

from bot.ids import user_key
from tests.support import line
from tests.support.harness import Bot, texts

STAFF = line.uid(0x5AFF)
RICE_MILL_IN_KHON_KAEN = [
    ("user", "สวัสดีครับ ทำโรงสีข้าวอยู่ขอนแก่น", "ยินดีให้บริการ"),
    ("user", "สมัคร", "ขอความยินยอม"),
    ("user", "ยินยอม", "(1/10)"),
    ("user", "โรงสีข้าวทองดี", "(2/10)"),
    ("user", "สมชาย ใจดี", "(3/10)"),
    ("user", "ขอนแก่น", "(4/10)"),
    ("user", "ก", "(5/10)"),
    ("user", "โรงสีข้าวชุมชน", "(6/10)"),
    ("user", "3", "(7/10)"),
    ("user", "๑๒ คน", "(8/10)"),
    ("user", "3", "(9/10)"),
    ("user", "081-234-5678", "(10/10)"),
    ("user", "ไม่มี", "ศภ.5 ขอนแก่น"),
    ("user", "ยืนยัน", "เหมาะกับคุณเพราะ ตรงสาย ก เกษตรอุตสาหกรรม"),
    ("user", "ขอพี่เลี้ยง", "ส่งคำขอพี่เลี้ยงแล้ว"),
    ("staff-inbox", "", "คุณสมศักดิ์ ใจงาม"),  # the best match: rice, Khon Kaen
    ("staff", "อนุมัติ {intro}", "อนุมัติ {intro} แล้ว"),
    ("user-inbox", "", "จับคู่พี่เลี้ยงให้แล้ว"),
    ("user", "สถานะของฉัน", "จับคู่พี่เลี้ยงแล้ว"),
]
RESUME_THREE_DAYS_LATER = [
    ("user", "สมัคร", "ขอความยินยอม"),
    ("user", "ยินยอม", "(1/10)"),
    ("user", "ร้านผ้าทอบ้านนา", "(2/10)"),
    ("user", "มาลี ทอผ้า", "(3/10)"),
    ("wait", "3 days", ""),
    ("user", "สวัสดีค่ะ", "กรอกใบสมัครค้างไว้ 2 จาก 10"),
    ("user", "ทำต่อ", "(3/10)"),
    ("user", "สกลนคร", "(4/10)"),
]
HAT_YAI = [("location", "7.0086,100.4747", "ศูนย์ส่งเสริมอุตสาหกรรมภาคที่ 11")]
CHATS = {
    "rice mill in Khon Kaen": RICE_MILL_IN_KHON_KAEN,
    "resume after three days": RESUME_THREE_DAYS_LATER,
    "location in Hat Yai": HAT_YAI,
}


def play(bot: Bot, user: str, steps: list[tuple[str, str, str]]) -> None:
    seen: dict[str, str] = {}
    inbox: dict[str, str] = {}

    def fill(s: str) -> str:
        return s.format(**seen) if "{" in s else s

    for who, says, expected in steps:
        if who == "wait":
            bot.clock.advance(days=int(says.split()[0]))
            continue
        if who.endswith("-inbox"):
            got = inbox.pop(STAFF if who == "staff-inbox" else user, "")
        else:
            if who == "location":
                lat, lon = map(float, says.split(","))
                ev = line.event(
                    "message", user, message={"type": "location", "id": "9", "latitude": lat, "longitude": lon}
                )
            else:
                ev = line.text(STAFF if who == "staff" else user, fill(says))
            bot.post(ev)
            bot.queue.run()
            got = ""
            for api, target, msgs in bot.messenger.take():
                said = texts(msgs)
                if api == "push":
                    inbox[target] = inbox.get(target, "") + said
                if api == "reply" or target == ev["source"]["userId"]:
                    got += said
            if m := re.search(r"M[0-9A-Z]{13}", inbox.get(STAFF, "")):
                seen["intro"] = m.group()
        assert fill(expected) in got, f"{who} {says!r}: expected {fill(expected)!r}, got:\n{got}"


@pytest.mark.parametrize("name", list(CHATS))
def test_guidance_on_the_embedded_store(classifier, user: str, name: str) -> None:
    play(Bot(classifier, staff=STAFF), user, CHATS[name])


@pytest.mark.parametrize("name", list(CHATS))
def test_guidance_on_real_redis(classifier, redis_url, redis_client, user: str, name: str) -> None:
    from tests.support.redis_bot import RedisBot

    bot = RedisBot(classifier, redis_url, staff=STAFF)
    play(bot, user, CHATS[name])


def test_staff_confirm_a_participant_and_a_group_and_the_kpi_command_counts_them(
    classifier, redis_url, redis_client, user: str
) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.support.redis_bot import RedisBot

    bot = RedisBot(classifier, redis_url, staff=STAFF)
    play(bot, user, RICE_MILL_IN_KHON_KAEN[:14])
    lead_id = re.search(r"R[0-9A-Z]{13}", texts(bot.say(user, "สถานะของฉัน"))).group()
    bot.post(line.text(STAFF, f"ยืนยันผู้เข้าร่วม {lead_id}"))
    bot.queue.run()
    sent = bot.messenger.take()
    assert any(t == STAFF and "ยืนยันผู้เข้าร่วม" in texts(m) for _, t, m in sent)
    assert any(t == user and "ยืนยันการเข้าร่วมโครงการของคุณแล้ว" in texts(m) for _, t, m in sent)
    assert "บันทึกกลุ่ม" in texts(bot.say(STAFF, "สร้างกลุ่ม คลัสเตอร์โรงสีข้าวชุมชน ขอนแก่น"))
    assert "ยืนยันเข้าร่วมโครงการแล้ว" in texts(bot.say(user, "สถานะของฉัน"))
    env = {**os.environ, "REDIS_URL": redis_url, "LINE_CHANNEL_SECRET": "s3cret", "USER_HASH_KEY": "k3y"}
    run = subprocess.run(
        [sys.executable, "-m", "bot", "kpi", "--fy", "2570"],
        cwd=Path(__file__).parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "| total | 1 | 1 | 3 | 1 | 1 | 3 | 1 |" in out and "| agro | 1 | 1 | 3 | 1 | 1 | 3 | 1 |" in out
    assert "| ipc5 | 1 | 1 | 3 | 1 | 1 | 3 | 1 |" in out
    assert "| entrepreneurs | 1 | 16,200 | 0.0% |" in out and "| groups | 1 | 70 | 1.4% |" in out


def test_programs_tapped_as_interesting_are_not_a_registration(classifier) -> None:
    """A tap on "สนใจสมัคร" with consent keeps the program as an interest (for its deadline
    reminder), but "โครงการที่เหมาะกับฉัน" still asks the user to register first, and a business
    described in the message is ranked by what the message says."""
    bot, user = Bot(classifier), line.uid(0x1A7E)
    bot.send(line.event("postback", user, postback={"data": "a=apply&p=creative-local-textiles"}))
    bot.say(user, "ยินยอม")
    bot.say(user, "ยกเลิก")
    bot.say(user, "พักไว้ก่อน")
    assert "ขอข้อมูลกิจการก่อน" in texts(bot.say(user, "โครงการที่เหมาะกับฉัน"))
    assert bot.store.get("profile", user_key(bot.settings.hash_key, user))["interests"] == ["creative-local-textiles"]
