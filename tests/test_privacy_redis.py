"""Erasure against real Redis with RQ: afterwards no key or value holds the user ID."""

from __future__ import annotations

from bot.ids import user_key
from tests.support import line
from tests.support.harness import texts
from tests.support.redis_bot import RedisBot, every_key_and_value
from tests.support.walks import FINISH, REGISTER_A_LITTLE, walk


def test_after_erasure_no_redis_key_or_value_holds_the_user_id(classifier, redis_url, redis_client) -> None:
    staff = line.uid(0x5AFF)
    bot = RedisBot(classifier, redis_url, staff=staff)
    user, other = line.uid(0xE8A5E), line.uid(0x07E8)
    bot.send(line.event("follow", user, follow={"isUnblocked": False}))
    walk(bot, user, REGISTER_A_LITTLE + FINISH)
    walk(bot, user, [("อยากได้เมนเทอร์แถวอีสาน", ""), ("ขอพี่เลี้ยง", "พี่เลี้ยง"), ("ขอคุยกับเจ้าหน้าที่", "รับเรื่องแล้ว")])
    bot.say(other, "สวัสดีครับ")
    before = every_key_and_value(redis_client)
    assert any(user in v for v in before.values()), "the walk should have stored the user ID somewhere"

    answer = bot.send(line.text(user, "ลบข้อมูล"))  # a global command, heard during the handoff too
    assert "ยืนยันลบข้อมูล" in texts(answer)
    # Two events in one delivery: the second one is still in the user's partition at the erasure.
    answer = bot.send(line.text(user, "ยืนยันลบข้อมูล"), line.text(user, "ขอบคุณครับ"))
    assert "ลบข้อมูลของคุณเรียบร้อยแล้ว" in texts(answer) and "ยินดีให้บริการ" not in texts(answer)

    after = every_key_and_value(redis_client)
    leaks = {k: v[:120] for k, v in after.items() if user in k or user in v}
    assert leaks == {}
    hashed = user_key(bot.settings.hash_key, user)
    assert not any(hashed in k or hashed in v for k, v in after.items() if not k.startswith("dip:dedupe:"))
    assert any(other in v for v in after.values()), "another user's data is untouched"
