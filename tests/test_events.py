"""Every event kind LINE sends gets the right treatment."""

from __future__ import annotations

from tests.support import line
from tests.support.harness import Bot, quick_labels, texts


def test_follow_welcomes_with_what_the_bot_does_and_a_privacy_notice(bot: Bot, user: str) -> None:
    reply = bot.send(line.event("follow", user, follow={"isUnblocked": False}))
    said = texts(reply)
    assert "ยินดีต้อนรับ" in said and "ข้อมูลส่วนบุคคล" in said and "ก เกษตรอุตสาหกรรม" in said
    assert len(quick_labels(reply)) >= 6


def test_unfollow_marks_the_user_inactive_and_sends_nothing(bot: Bot, user: str) -> None:
    bot.send(line.event("follow", user, follow={"isUnblocked": False}))
    assert bot.send(line.event("unfollow", user)) == []
    from bot.ids import user_key

    assert bot.store.get("user", user_key(bot.settings.hash_key, user))["following"] is False


def test_sticker_and_image_get_a_friendly_thai_answer_with_the_menu(bot: Bot, user: str) -> None:
    sticker = bot.send(
        line.event("message", user, message={"type": "sticker", "id": "1", "packageId": "446", "stickerId": "1988"})
    )
    assert "สติกเกอร์" in texts(sticker) and quick_labels(sticker)
    for kind in ("image", "video", "audio", "file"):
        reply = bot.send(line.event("message", user, message={"type": kind, "id": "2"}))
        assert "พิมพ์" in texts(reply) and quick_labels(reply), kind


def test_a_location_in_hat_yai_gets_the_songkhla_center(bot: Bot, user: str) -> None:
    reply = bot.send(
        line.event("message", user, message={"type": "location", "id": "3", "latitude": 7.0086, "longitude": 100.4747})
    )
    assert "สงขลา" in texts(reply) and "ภาคที่ 11" in texts(reply)


def test_a_location_address_names_the_province(bot: Bot, user: str) -> None:
    msg = {
        "type": "location",
        "id": "4",
        "latitude": 0.0,
        "longitude": 0.0,
        "address": "ถนนมิตรภาพ อำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000",
    }
    assert "ขอนแก่น" in texts(bot.send(line.event("message", user, message=msg)))


def test_unsend_sends_nothing(bot: Bot, user: str) -> None:
    assert bot.send(line.event("unsend", user, unsend={"messageId": "123"})) == []


def test_standby_mode_sends_nothing(bot: Bot, user: str) -> None:
    ev = line.text(user, "สวัสดี", mode="standby")
    ev.pop("replyToken")
    assert bot.send(ev) == []


def test_a_10000_character_message_gets_an_answer(bot: Bot, user: str) -> None:
    reply = bot.say(user, "อยากได้ความช่วยเหลือ " * 500)
    assert reply and all(len(m.get("text", "")) <= 5000 for m in reply)


def test_group_chat_speaks_only_when_mentioned_and_only_public_information(bot: Bot, user: str) -> None:
    group = {"type": "group", "groupId": "C" + "1" * 32, "userId": user}
    plain = line.text(user, "ก", source=group)
    assert bot.send(plain) == []
    mention = {"mentionees": [{"index": 0, "length": 4, "type": "user", "isSelf": True}]}
    ask = line.text(user, "@bot ก", source=group)
    ask["message"]["mention"] = mention
    reply = bot.send(ask)
    assert "สาย ก" in texts(reply)
    private = line.text(user, "@bot คุยกับเจ้าหน้าที่", source=group)
    private["message"]["mention"] = mention
    assert "แชทกับบอทแบบส่วนตัว" in texts(bot.send(private))
    targets = {t for _, t, _ in bot.sent()}
    assert targets <= {"C" + "1" * 32}


def test_a_handler_error_still_gets_a_kind_answer(bot: Bot, user: str, monkeypatch) -> None:
    import handlers

    def broken(ctx):
        raise RuntimeError("boom")

    monkeypatch.setitem(handlers.REGISTRY, "program.track", broken)
    reply = bot.say(user, "ก")
    assert "ระบบขัดข้องชั่วคราว" in texts(reply) and quick_labels(reply)


def test_a_failure_while_understanding_still_gets_a_kind_answer(bot: Bot, user: str, monkeypatch, caplog) -> None:
    def broken(text: str):
        raise RuntimeError("model file unreadable")

    monkeypatch.setattr(bot.dispatcher.d.router, "classify", broken)
    monkeypatch.setattr(bot.dispatcher.d.router.understand, "classify", broken)
    reply = bot.say(user, "อยากได้ความช่วยเหลือเรื่องธุรกิจหน่อย")
    assert "ระบบขัดข้องชั่วคราว" in texts(reply) and "คุยกับเจ้าหน้าที่" in quick_labels(reply)
    assert any("routing failed for event" in r.getMessage() for r in caplog.records)


def test_an_event_run_again_after_its_turn_was_saved_gets_the_same_answer(bot: Bot, user: str) -> None:
    """The worker saved the turn, then died before the event's done record: the event runs again
    (tries=2) from the state before that turn, so the user's answer is read the same way and the
    form does not jump a question."""
    import json

    bot.say(user, "สมัครเข้าร่วมโครงการ")
    bot.say(user, "ยินยอม")
    event = line.text(user, "ร้านขนมบ้านสวน")
    first = bot.send(event)
    assert "(2/10)" in texts(first)  # the business name was taken; the contact's name comes next
    bot.dispatcher.process(json.dumps(event), tries=2)
    again = [m for _, _, msgs in bot.sent() for m in msgs]
    assert texts(again) == texts(first)
