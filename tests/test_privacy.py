"""Personal data done right: consent ledger, my data and export, erasure, withdrawal, retention."""

from __future__ import annotations

import re

import pytest

from bot.ids import user_key
from tests.support import line
from tests.support.harness import Bot, quick_labels, texts
from tests.support.walks import FINISH, REGISTER_A_LITTLE, walk


def uh(bot: Bot, user: str) -> str:
    return user_key(bot.settings.hash_key, user)


def test_a_refusal_stores_nothing_personal_and_public_answers_go_on(bot: Bot, user: str) -> None:
    follow = texts(bot.send(line.event("follow", user, follow={"isUnblocked": False})))
    assert "ข้อมูลส่วนบุคคล" in follow
    asked = bot.say(user, "สมัคร")
    assert "ขอความยินยอม" in texts(asked) and {"ยินยอม", "ไม่ยินยอม"} <= set(quick_labels(asked))
    assert "ยังถามเรื่องโครงการ" in texts(bot.say(user, "ไม่ยินยอม"))
    assert "สาย ก" in texts(bot.say(user, "ทำโรงสีข้าว อยากพัฒนาต่อ"))
    assert "แหล่งเงินทุน" in texts(bot.say(user, "ขอกู้เงิน"))
    key = uh(bot, user)
    assert bot.store.get("profile", key) is None and bot.store.get("draft", key) is None
    assert bot.store.items("msgs", key) == []
    assert [e["action"] for e in bot.store.items("consent", key)] == ["refused"]
    assert "ขอความยินยอม" in texts(bot.say(user, "สมัคร"))  # asked again only when a personal flow starts


def test_consent_is_recorded_with_purpose_version_and_bangkok_time(bot: Bot, user: str) -> None:
    walk(bot, user, REGISTER_A_LITTLE[:2])
    (entry,) = bot.store.items("consent", uh(bot, user))
    assert entry["action"] == "granted" and entry["purpose"] == "sme_support"
    assert entry["version"] == bot.dispatcher.d.notice.version and entry["at"].endswith("+07:00")


def test_my_data_and_the_export_link(bot: Bot, user: str) -> None:
    walk(bot, user, REGISTER_A_LITTLE)
    mine = texts(bot.say(user, "ข้อมูลของฉัน"))
    assert "ความยินยอม: ยินยอมแล้ว" in mine and "ใบสมัครค้าง ใช่" in mine and user not in mine
    reply = texts(bot.say(user, "ขอไฟล์ข้อมูล"))
    url = re.search(r"https?://\S+/export/(\S+)", reply)
    assert url, reply
    got = bot.client.get(f"/export/{url.group(1)}")
    assert got.status_code == 200 and "attachment" in got.headers["Content-Disposition"]
    data = got.json
    assert data["registration_draft"]["fields"]["business_name"] == "โรงสีข้าวทองดี"
    assert data["consent_history"][0]["action"] == "granted"
    assert any(m["text"] == "สมชาย ใจดี" for m in data["messages"])
    assert bot.client.get(f"/export/{url.group(1)}x").status_code == 404


def test_an_expired_export_link_is_refused(bot: Bot, user: str, monkeypatch) -> None:
    import bot.export as export

    walk(bot, user, REGISTER_A_LITTLE[:2])
    token = re.search(r"/export/(\S+)", texts(bot.say(user, "ขอไฟล์ข้อมูล"))).group(1)
    monkeypatch.setattr(export, "EXPORT_SECONDS", -1)
    assert bot.client.get(f"/export/{token}").status_code == 410


def test_withdrawing_consent_after_registering_deletes_personal_data_only(bot: Bot, user: str) -> None:
    walk(bot, user, REGISTER_A_LITTLE + FINISH)
    key = uh(bot, user)
    assert bot.store.get("profile", key) and bot.store.items("leads", key)
    walk(bot, user, [("ถอนความยินยอม", "ยืนยันถอนความยินยอม"), ("ยืนยันถอนความยินยอม", "ถอนความยินยอมแล้ว")])
    assert bot.store.get("profile", key) is None and bot.store.items("leads", key) == []
    assert bot.store.items("msgs", key) == [] and bot.store.get("draft", key) is None
    assert bot.store.get("user", key)["id"] == user  # operational data stays
    assert [e["action"] for e in bot.store.items("consent", key)] == ["granted", "withdrawn"]
    assert "ขอความยินยอม" in texts(bot.say(user, "สมัคร"))
    assert bot.store.items("msgs", key) == []  # no copies while consent is withdrawn


def test_a_new_notice_version_asks_again_before_storing(bot: Bot, user: str) -> None:
    from dataclasses import replace

    walk(bot, user, REGISTER_A_LITTLE[:2])
    bot.dispatcher.d.notice = replace(bot.dispatcher.d.notice, version="2.0")
    assert "ขอความยินยอม" in texts(bot.say(user, "สมัคร"))
    assert "ยินยอมตามประกาศฉบับเก่า" in texts(bot.say(user, "ข้อมูลของฉัน"))


def test_no_personal_data_is_stored_without_consent_whatever_a_handler_returns(
    bot: Bot, user: str, monkeypatch
) -> None:
    import handlers
    from domain.context import Result
    from domain.effects import AppendLead, SaveDraft, SaveProfile
    from domain.replies import Text

    wants = [SaveProfile({"phone": "0812345678"}), SaveDraft({"fields": {}}), AppendLead({"id": "R1", "fields": {}})]
    monkeypatch.setitem(handlers.REGISTRY, "thanks", lambda ctx: Result([Text("ok")], effects=wants))
    bot.say(user, "ขอบคุณครับ")
    assert bot.store.get("profile", uh(bot, user)) is None
    assert bot.store.get("draft", uh(bot, user)) is None and bot.store.items("leads", uh(bot, user)) == []


def test_unsend_removes_the_stored_copy_at_once(bot: Bot, user: str) -> None:
    walk(bot, user, REGISTER_A_LITTLE[:2])
    ev = line.text(user, "เบอร์ผม 0899999999")
    bot.send(ev)
    key = uh(bot, user)
    assert any(m["id"] == ev["message"]["id"] for m in bot.store.items("msgs", key))
    bot.send(line.event("unsend", user, unsend={"messageId": ev["message"]["id"]}))
    assert all(m["id"] != ev["message"]["id"] for m in bot.store.items("msgs", key))


def test_message_copies_older_than_the_retention_are_dropped(bot: Bot, user: str) -> None:
    walk(bot, user, REGISTER_A_LITTLE[:3])
    key = uh(bot, user)
    assert any(m["text"] == "โรงสีข้าวทองดี" for m in bot.store.items("msgs", key))
    bot.clock.advance(days=91)
    bot.say(user, "ขอบคุณครับ")
    assert [m["text"] for m in bot.store.items("msgs", key)] == ["ขอบคุณครับ"]


def test_erasure_needs_a_typed_confirmation_and_leaves_a_hashed_record(bot: Bot, user: str) -> None:
    import hashlib

    walk(bot, user, REGISTER_A_LITTLE + FINISH)
    walk(bot, user, [("ลบข้อมูล", "ยืนยันลบข้อมูล"), ("ยืนยันลบข้อมูล", "ลบข้อมูลของคุณเรียบร้อยแล้ว")])
    key = uh(bot, user)
    for kind in ("user", "state", "profile", "draft"):
        assert bot.store.get(kind, key) is None, kind
    for kind in ("leads", "consent", "msgs"):
        assert bot.store.items(kind, key) == [], kind
    assert key not in bot.store.index_members("dip:lead-index")
    assert list(bot.store.erasures()) == [hashlib.sha256(user.encode()).hexdigest()]


@pytest.mark.parametrize(
    ("ask", "confirm", "done"),
    [
        ("ลบข้อมูล", "ยืนยันลบข้อมูล", "ลบข้อมูลของคุณเรียบร้อยแล้ว"),
        ("delete my data", "confirm delete", "Your data has been deleted"),
    ],
)
def test_erasure_confirmation_is_typed_in_thai_or_english(
    bot: Bot, user: str, ask: str, confirm: str, done: str
) -> None:
    bot.say(user, ask)
    assert done in texts(bot.say(user, confirm))
