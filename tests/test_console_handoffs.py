"""The Handoff inbox (issue 12, point 5): a user asks for a person through the real webhook, staff
see the case (only what consent allows), reply by push, resolve it; cases outlive the 24 hours
the bot stays quiet, stay in their center, and leave with an erasure."""

from __future__ import annotations

import dataclasses
import re
import time as real_time
from typing import Any

import pytest

import bot.store.memory as memory
from bot.console.accounts import Audit
from bot.ids import user_key
from tests.support import line
from tests.support.console import Console
from tests.support.harness import Bot, texts
from tests.support.walks import FINISH, REGISTER_A_LITTLE, walk

ASKS = "ขอคุยกับเจ้าหน้าที่ เรื่องขอใบรับรองโรงงาน"
REPLY = "สวัสดีค่ะ เจ้าหน้าที่ศูนย์ฯ ยินดีช่วยเรื่องใบรับรองค่ะ"


@pytest.fixture
def bot(classifier) -> Bot:
    b = Bot(classifier)
    b.client.application.extensions["dip"].dispatcher = b.dispatcher  # embedded mode: one process, one messenger
    return b


def ask(bot: Bot, user: str, says: str = ASKS) -> str:
    said = texts(bot.say(user, says))
    assert "รับเรื่องแล้ว" in said, said
    return re.search(r"เลขเรื่อง (C[0-9A-Z]+)", said).group(1)  # type: ignore[union-attr]


def desk(bot: Bot, name: str = "somchai", role: str = "admin", center: str | None = None) -> Console:
    console = Console(bot, name, role, center)
    assert console.login().status_code == 302
    return console


def html(resp: Any) -> str:
    return resp.get_data(as_text=True)


def reply_id(page: str) -> str:
    return re.search(r'name="reply_id" type="hidden" value="([0-9a-f]{32})"', page).group(1)  # type: ignore[union-attr]


def send_reply(console: Console, case: str, text: str = REPLY, rid: str | None = None) -> Any:
    page = html(console.get(f"/console/handoffs/{case}"))
    return console.post(f"/console/handoffs/{case}/reply", {"text": text, "reply_id": rid or reply_id(page)},
                        page=f"/console/handoffs/{case}")  # fmt: skip


def listed(page: str) -> list[str]:
    """The case IDs of the inbox's rows, in order."""
    return re.findall(r'data-case="(C[0-9A-Z]+)"', page)


def pushes_to(bot: Bot, user: str) -> list[str]:
    return [texts(msgs) for api, to, msgs in bot.sent() if api == "push" and to == user]


def test_new_cases_appear_in_the_inbox_and_in_the_polled_rows_oldest_first(bot: Bot) -> None:
    assert bot.client.get("/console/handoffs/rows", headers={"HX-Request": "true"}).status_code == 401
    admin = desk(bot)
    first, second = line.uid(0xF1), line.uid(0xF2)
    early = ask(bot, first)
    inbox = html(admin.get("/console/handoffs"))
    assert listed(inbox) == [early] and 'hx-trigger="every 5s"' in inbox and 'hx-get="/console/handoffs/rows"' in inbox
    bot.clock.advance(minutes=7)
    late = ask(bot, second, "ขอคุยกับเจ้าหน้าที่ครับ")
    rows = html(admin.get("/console/handoffs/rows", headers={"HX-Request": "true"}))
    assert "<html" not in rows and listed(rows) == [early, late]  # the longest waiting first
    assert "7 นาที" in rows
    actions = [e["action"] for e in Audit(bot.store).entries(who="somchai")]
    assert actions[:2] == ["handoffs.polled", "handoffs.viewed"]
    admin.get("/console/handoffs/rows", headers={"HX-Request": "true"})  # nothing new: not recorded again
    assert Audit(bot.store).entries(who="somchai")[0]["action"] == "handoffs.polled"
    assert len(Audit(bot.store).entries(who="somchai", action="handoffs.polled")) == 1


def test_an_unconsented_users_case_shows_only_the_intent_and_the_time(bot: Bot, user: str) -> None:
    case = ask(bot, user)
    page = html(desk(bot).get(f"/console/handoffs/{case}"))
    assert 'id="intent">ขอคุยกับเจ้าหน้าที่<' in page and "25 พ.ย. 2569 10:00 น." in page
    assert "ใบรับรองโรงงาน" not in page and 'id="intent-only"' in page and user not in page
    (entry,) = Audit(bot.store).entries(action="handoffs.case_viewed")
    assert entry["target"] == case and entry["detail"] == "intent and time only"


def test_a_consented_users_case_shows_their_recent_messages_and_profile(bot: Bot, user: str) -> None:
    walk(bot, user, REGISTER_A_LITTLE + FINISH)
    case = ask(bot, user, "ขอคุยกับเจ้าหน้าที่หน่อยครับ เรื่องเครื่องจักร")
    page = html(desk(bot).get(f"/console/handoffs/{case}"))
    assert 'id="messages"' in page and "ขอคุยกับเจ้าหน้าที่หน่อยครับ เรื่องเครื่องจักร" in page
    assert "โรงสีข้าวทองดี" in page and "ขอนแก่น" in page and 'id="intent-only"' not in page
    assert user not in page


def test_consent_to_an_older_notice_is_not_current_and_shows_only_the_intent(bot: Bot, user: str) -> None:
    walk(bot, user, REGISTER_A_LITTLE + FINISH)  # copies and a profile kept under the old notice
    bot.dispatcher.d.notice = dataclasses.replace(bot.dispatcher.d.notice, version="2099-01")
    case = ask(bot, user)
    page = html(desk(bot).get(f"/console/handoffs/{case}"))
    assert 'id="intent-only"' in page and "โรงสีข้าวทองดี" not in page and "สมชาย ใจดี" not in page


def test_a_staff_reply_reaches_the_user_by_push_and_a_retry_never_doubles_it(bot: Bot, user: str) -> None:
    case = ask(bot, user)
    admin = desk(bot)
    page = html(admin.get(f"/console/handoffs/{case}"))
    rid = reply_id(page)
    assert send_reply(admin, case, rid=rid).status_code == 302
    assert pushes_to(bot, user) == [REPLY]
    key = bot.messenger.keys[-1]
    assert send_reply(admin, case, rid=rid).status_code == 302  # the same form again (a retry)
    assert pushes_to(bot, user) == [] and bot.messenger.keys[-1] == key
    assert bot.say(user, "ขอบคุณครับ รออยู่นะครับ") == []  # the bot stays quiet while staff have the chat
    (entry,) = Audit(bot.store).entries(action="handoffs.replied")
    assert entry["target"] == case and REPLY not in entry["detail"] and user not in str(entry)
    assert "somchai" in html(admin.get(f"/console/handoffs/{case}"))  # who answered, shown on the case


def test_resolve_hands_the_user_back_to_the_bot(bot: Bot, user: str) -> None:
    case = ask(bot, user)
    assert bot.say(user, "ก") == []  # quiet: a person has the chat
    admin = desk(bot)
    resp = admin.post(f"/console/handoffs/{case}/resolve", page=f"/console/handoffs/{case}")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/console/handoffs")
    assert any("ปิดเรื่องแล้ว" in text for text in pushes_to(bot, user))
    assert listed(html(admin.get("/console/handoffs"))) == []
    assert admin.get(f"/console/handoffs/{case}").status_code == 404
    assert "สาย ก" in texts(bot.say(user, "ก"))
    assert [e["target"] for e in Audit(bot.store).entries(action="handoffs.resolved")] == [case]


def test_a_case_stays_open_after_the_bots_24_quiet_hours(bot: Bot, user: str, monkeypatch) -> None:
    case = ask(bot, user)

    class Later:  # the store's own clock, 25 hours on (what a 1-day TTL would have expired by)
        @staticmethod
        def monotonic() -> float:
            return real_time.monotonic() + 25 * 3600

        @staticmethod
        def time() -> float:
            return real_time.time() + 25 * 3600

    monkeypatch.setattr(memory, "time", Later)
    bot.clock.advance(hours=25)
    assert "สาย ก" in texts(bot.say(user, "ก"))  # the bot answers again after 24 h, as before
    admin = desk(bot)
    inbox = html(admin.get("/console/handoffs"))
    assert listed(inbox) == [case] and "25 ชั่วโมง 0 นาที" in inbox
    assert send_reply(admin, case).status_code == 302 and pushes_to(bot, user) == [REPLY]
    assert bot.say(user, "ขอบคุณค่ะ") == []  # a reply makes the bot quiet again: the answer is for staff
    bot.clock.advance(hours=25)
    assert f"เลขเรื่อง {case}" in texts(bot.say(user, "ขอคุยกับเจ้าหน้าที่"))  # the same case, not a second one
    assert [i for i, _ in bot.store.open_cases()] == [case]


def test_center_staff_see_their_centers_cases_only(bot: Bot) -> None:
    khon_kaen, anyone = line.uid(0xC5), line.uid(0xA0)
    walk(bot, khon_kaen, REGISTER_A_LITTLE + FINISH)  # ขอนแก่น: ศภ.5 (ipc5)
    theirs, nobodys = ask(bot, khon_kaen), ask(bot, anyone)
    other = desk(bot, "wichai", "center", "7")
    assert listed(html(other.get("/console/handoffs"))) == []
    assert other.get(f"/console/handoffs/{theirs}").status_code == 404
    token = other.token("/console/handoffs")
    for action in ("reply", "resolve"):
        resp = bot.client.post(f"/console/handoffs/{theirs}/{action}", data={"csrf_token": token, "text": "x",
                                                                              "reply_id": "a" * 32})  # fmt: skip
        assert resp.status_code == 404
    assert pushes_to(bot, khon_kaen) == [] and [i for i, _ in bot.store.open_cases()] == [theirs, nobodys]
    own = desk(bot, "malee", "center", "5")
    assert listed(html(own.get("/console/handoffs"))) == [theirs]  # a case with no known center is for admins
    assert own.get(f"/console/handoffs/{theirs}").status_code == 200
    assert own.get(f"/console/handoffs/{nobodys}").status_code == 404
    assert listed(html(desk(bot).get("/console/handoffs"))) == [theirs, nobodys]


def test_forms_without_the_csrf_token_are_refused(bot: Bot, user: str) -> None:
    case = ask(bot, user)
    admin = desk(bot)
    rid = reply_id(html(admin.get(f"/console/handoffs/{case}")))
    path = f"/console/handoffs/{case}"
    form = {"text": REPLY, "reply_id": rid}
    assert bot.client.post(f"{path}/reply", data=form).status_code == 400
    assert bot.client.post(f"{path}/reply", data={**form, "csrf_token": "forged"}).status_code == 400
    assert bot.client.post(f"{path}/resolve").status_code == 400
    assert pushes_to(bot, user) == [] and listed(html(admin.get("/console/handoffs"))) == [case]
    assert bot.say(user, "ก") == []  # still with staff


def test_no_reply_is_pushed_to_a_user_who_blocked_the_account(bot: Bot, user: str) -> None:
    case = ask(bot, user)
    bot.send(line.event("unfollow", user))
    admin = desk(bot)
    resp = send_reply(admin, case)
    assert resp.status_code == 409 and "บล็อก" in html(resp) and pushes_to(bot, user) == []
    assert admin.post(f"/console/handoffs/{case}/resolve", page=f"/console/handoffs/{case}").status_code == 302
    assert pushes_to(bot, user) == [] and bot.store.open_cases() == []


def test_erasure_takes_the_users_case_out_of_the_inbox(bot: Bot) -> None:
    waiting, gone_quiet = line.uid(0xE1), line.uid(0xE2)
    first, second = ask(bot, waiting), ask(bot, gone_quiet)
    bot.store.delete("state", user_key(bot.settings.hash_key, gone_quiet))  # the state expired (7 days idle)
    for who in (waiting, gone_quiet):  # "ลบข้อมูล" is heard during a handoff too
        walk(bot, who, [("ลบข้อมูล", "ยืนยันลบข้อมูล"), ("ยืนยันลบข้อมูล", "ลบข้อมูลของคุณเรียบร้อยแล้ว")])
    admin = desk(bot)
    inbox = html(admin.get("/console/handoffs"))
    assert listed(inbox) == [] and "ไม่มีเรื่องที่รอเจ้าหน้าที่" in inbox
    assert admin.get(f"/console/handoffs/{first}").status_code == 404
    assert bot.store.open_cases() == [] and bot.store.get("case", second) is None


def test_on_redis_a_case_has_no_expiry_and_an_erasure_removes_it_from_the_index(
    classifier, redis_url, redis_client
) -> None:
    from tests.support.redis_bot import RedisBot

    bot = RedisBot(classifier, redis_url)
    user = line.uid(0xE3)
    case = ask(bot, user)
    assert redis_client.ttl(f"dip:case:{case}") == -1 and redis_client.zscore("dip:cases-open", case) is not None
    redis_client.delete(f"dip:state:{user_key(bot.settings.hash_key, user)}")  # found by the store, not the state
    walk(bot, user, [("ลบข้อมูล", "ยืนยันลบข้อมูล"), ("ยืนยันลบข้อมูล", "ลบข้อมูลของคุณเรียบร้อยแล้ว")])
    assert not redis_client.exists(f"dip:case:{case}") and redis_client.zcard("dip:cases-open") == 0
