"""The console's Broadcasts page on real Redis: composing and sending through the same Desk as the
API, the live count, the quota, cancel and approve, a center account's limit, the deadline
reminders' switch, and the doors (CSRF, sessions, embedded mode). Delivery runs as the worker's
job would, against the fake multicast API of tests/test_broadcast_api.py."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest

from bot.broadcast import delivery, runner
from bot.broadcast.records import Broadcasts
from bot.console.accounts import Audit
from tests.support.console import Console, csrf
from tests.support.redis_bot import RedisBot
from tests.test_broadcast_api import AUTH, STAFF, TOKEN, FakeApi, audience, deliver

PAGE = "/console/broadcasts"
HX = {"HX-Request": "true"}
PROGRAM = "agro-food-processing"
redis = pytest.mark.redis


def configure(bot: Any, **updates: Any) -> None:
    settings = bot.client.application.extensions["dip"].settings.model_copy(update=updates)
    bot.client.application.extensions["dip"].settings = settings
    bot.dispatcher.d.settings = settings


@pytest.fixture
def world(classifier, redis_url, redis_client, monkeypatch):
    """Four followers: one registered in ขอนแก่น (ศภ.5), one in เชียงใหม่ (ศภ.1), one who stopped
    announcements, one who only follows."""
    redis_client.flushdb()
    bot = RedisBot(classifier, redis_url, staff=STAFF)
    configure(bot, ADMIN_API_TOKEN=TOKEN)
    api = FakeApi()
    monkeypatch.setattr(delivery, "make_api", lambda _s: api)
    runner.configure(bot.client.application.extensions["dip"].settings, redis_client, api=api)
    yield bot, api, redis_client, audience(bot)
    runner.configure(None)


def desk(bot: Any, name: str = "somchai", role: str = "admin", center: str | None = None) -> Console:
    staff = Console(bot, name, role, center)
    assert staff.login().status_code == 302
    return staff


def send(staff: Console, **form: Any) -> Any:
    return staff.post(PAGE, {"do": "send", **form}, page=PAGE)


def count(staff: Console, **form: Any) -> int:
    resp = staff.post(f"{PAGE}/preview", form, page=PAGE, headers=HX)
    assert resp.status_code == 200, resp.data
    m = re.search(r'id="bc-count" data-count="(\d+)"', resp.get_data(as_text=True))
    assert m, resp.get_data(as_text=True)
    return int(m.group(1))


def text_of(resp: Any) -> str:
    return html.unescape(resp.get_data(as_text=True))


def actions(bot: Any, who: str) -> list[tuple[str, str]]:
    return [(e["action"], e["target"]) for e in Audit(bot.store).entries(who=who)]


@redis
def test_a_segment_broadcast_sent_from_the_form_reaches_exactly_the_matching_people_once(world) -> None:
    bot, api, r, (khon_kaen, chiang_mai, quiet) = world
    staff = desk(bot)
    resp = send(staff, text="อบรมแปรรูปข้าว 5 ธ.ค. ที่ ศภ.5", track=["agro"], province=["ขอนแก่น"])
    assert resp.status_code == 302, text_of(resp)
    [rec] = Broadcasts(r).list()
    assert (rec["created_by"], rec["segment"]) == ("somchai", {"track": ["agro"], "province": ["ขอนแก่น"]})
    assert deliver(r, rec["id"]) == "done"
    assert deliver(r, rec["id"]) in ("done", None, "ended")  # a second run sends nothing more
    assert [to for to, _ in api.got] == [[khon_kaen]]
    text = api.got[0][1][-1]["text"]
    assert text.startswith("อบรมแปรรูปข้าว") and text.endswith('พิมพ์ "หยุดรับข่าวสาร"')
    assert quiet not in json.dumps(api.got) and chiang_mai not in json.dumps(api.got)
    page = staff.get(PAGE).get_data(as_text=True)
    row = page[page.index(f'id="bc-{rec["id"]}"') :].split("</tr>")[0]
    assert 'data-status="done"' in row and "ส่งเสร็จแล้ว" in row
    assert re.search(r'data-k="targeted">1<', row) and re.search(r'data-k="sent">1<', row)
    assert ("broadcast.send", rec["id"]) in actions(bot, "somchai")


@redis
def test_the_live_count_follows_the_segment_and_the_preview_is_what_recipients_see(world) -> None:
    bot, *_ = world
    staff = desk(bot)
    assert count(staff) == 3  # four follow, one stopped announcements
    assert count(staff, track=["agro"]) == 2
    assert count(staff, track=["agro"], province=["ขอนแก่น"]) == 1
    assert count(staff, province=["ขอนแก่น", "เชียงใหม่"], status=["registered"]) == 2
    assert count(staff, center=["ipc1"]) == 1
    assert count(staff, province=["ขอนแก่น"], center=["ipc1"]) == 0
    shown = text_of(staff.post(f"{PAGE}/preview", {"text": "เปิดรับสมัครแล้ว", "card": PROGRAM}, page=PAGE, headers=HX))
    assert 'เปิดรับสมัครแล้ว\n\nหากไม่ต้องการรับข่าวสาร พิมพ์ "หยุดรับข่าวสาร"' in shown
    assert 'id="bc-card"' in shown and "แปรรูปเกษตรและอาหาร" in shown and "สนใจสมัคร" in shown
    bad = text_of(staff.post(f"{PAGE}/preview", {"track": ["fishing"]}, page=PAGE, headers=HX))
    assert 'id="bc-count"' not in bad and 'ค่าในช่อง "สาย" ไม่ถูกต้อง' in bad


@redis
def test_over_the_quota_is_refused_in_thai_and_nothing_is_created(world) -> None:
    bot, api, r, _ = world
    api.limit, api.used = 100, 99
    staff = desk(bot)
    assert "เกินโควตา" in text_of(staff.post(f"{PAGE}/preview", {}, page=PAGE, headers=HX))
    resp = send(staff, text="ข่าวใหม่")
    assert resp.status_code == 409
    assert "ต้องใช้ 3 ข้อความ แต่เหลือเพียง 1 ข้อความ" in text_of(resp) and "ยังไม่ได้สร้างประกาศ" in text_of(resp)
    assert Broadcasts(r).list() == [] and api.got == []
    assert not any(a == "broadcast.send" for a, _ in actions(bot, "somchai"))
    api.used = 0
    assert send(staff, text="ข่าวใหม่").status_code == 302 and len(Broadcasts(r).list()) == 1


@redis
def test_cancel_stops_a_scheduled_broadcast_until_it_ends(world) -> None:
    bot, api, r, _ = world
    staff = desk(bot)
    assert send(staff, text="งานปีหน้า", at="2030-01-05T09:00").status_code == 302
    [rec] = Broadcasts(r).list()
    assert (rec["status"], rec["schedule_at"]) == ("scheduled", "2030-01-05T09:00:00+07:00")
    assert f"/console/broadcasts/{rec['id']}/cancel" in staff.get(PAGE).get_data(as_text=True)
    assert staff.post(f"{PAGE}/{rec['id']}/cancel", page=PAGE).status_code == 302
    assert Broadcasts(r).get(rec["id"])["status"] == "cancelled"
    assert ("broadcast.cancel", rec["id"]) in actions(bot, "somchai")
    assert f"/console/broadcasts/{rec['id']}/cancel" not in staff.get(PAGE).get_data(as_text=True)
    again = staff.post(f"{PAGE}/{rec['id']}/cancel", page=PAGE)
    assert again.status_code == 409 and "ทำรายการนี้ไม่ได้แล้ว" in text_of(again)
    assert runner.Job(r, rec["id"], api).run() != "done" and api.got == []


@redis
def test_with_approval_on_the_creator_cannot_approve_and_another_account_can(world) -> None:
    bot, api, r, _ = world
    configure(bot, BROADCAST_APPROVAL=True)
    somchai = desk(bot)
    assert send(somchai, text="งานแสดงสินค้า", province=["ขอนแก่น"]).status_code == 302
    [rec] = Broadcasts(r).list()
    approve = f"{PAGE}/{rec['id']}/approve"
    assert rec["status"] == "awaiting_approval" and approve not in somchai.get(PAGE).get_data(as_text=True)
    own = somchai.post(approve, page=PAGE)
    assert own.status_code == 409 and "อนุมัติประกาศของตนเองไม่ได้" in text_of(own)
    assert Broadcasts(r).get(rec["id"])["status"] == "awaiting_approval" and api.got == []
    wichai = desk(bot, "wichai")  # the same browser, now another staff member
    assert approve in wichai.get(PAGE).get_data(as_text=True)
    assert wichai.post(approve, page=PAGE).status_code == 302
    assert Broadcasts(r).get(rec["id"])["approved_by"] == "wichai"
    assert deliver(r, rec["id"]) == "done" and len(api.got) == 1
    assert ("broadcast.approve", rec["id"]) in actions(bot, "wichai")


@redis
def test_a_center_account_broadcasts_to_its_own_center_only(world) -> None:
    bot, api, r, (khon_kaen, *_rest) = world
    admin = desk(bot)
    assert send(admin, text="ข่าวถึงทุกคน").status_code == 302
    everyone = Broadcasts(r).list()[0]["id"]
    malee = desk(bot, "malee", "center", "5")  # ศภ.5 ขอนแก่น
    assert count(malee) == 1 and count(malee, center=["ipc1"]) == 1  # the form's center is ignored
    page = malee.get(PAGE).get_data(as_text=True)
    assert f'id="bc-{everyone}"' not in page and 'name="center"' not in page and "ศภ.5 ขอนแก่น" in page
    assert malee.post(f"{PAGE}/{everyone}/cancel", page=PAGE).status_code == 404
    assert send(malee, text="ข่าวศูนย์ 5", center=["ipc1"]).status_code == 302
    rec = Broadcasts(r).list()[0]
    assert rec["segment"] == {"center": ["ipc5"]} and rec["created_by"] == "malee"
    assert deliver(r, rec["id"]) == "done"
    assert [to for to, msgs in api.got if msgs[-1]["text"].startswith("ข่าวศูนย์ 5")] == [[khon_kaen]]
    assert f'id="bc-{rec["id"]}"' in malee.get(PAGE).get_data(as_text=True)


@redis
def test_the_reminders_switch_changes_what_the_api_reports(world) -> None:
    bot, *_ = world

    def enabled() -> bool:
        rows = bot.client.get("/api/reminders", headers=AUTH).json["programs"]
        return next(row["enabled"] for row in rows if row["program"] == PROGRAM)

    staff = desk(bot)
    assert enabled() and f'id="rem-{PROGRAM}" data-enabled="on"' in staff.get(PAGE).get_data(as_text=True)
    assert staff.post(f"{PAGE}/reminders/{PROGRAM}", {"enabled": "0"}, page=PAGE).status_code == 302
    assert not enabled() and f'id="rem-{PROGRAM}" data-enabled="off"' in staff.get(PAGE).get_data(as_text=True)
    assert staff.post(f"{PAGE}/reminders/{PROGRAM}", {"enabled": "1"}, page=PAGE).status_code == 302
    assert enabled()
    assert actions(bot, "somchai")[:2] == [("reminders.switch", PROGRAM)] * 2
    malee = desk(bot, "malee", "center", "5")  # reminders go nationwide: admins switch them
    assert malee.post(f"{PAGE}/reminders/{PROGRAM}", {"enabled": "0"}, page=PAGE).status_code == 403
    assert enabled()


@redis
def test_forms_without_the_csrf_token_are_refused(world) -> None:
    bot, _api, r, _ = world
    desk(bot)
    assert bot.client.post(PAGE, data={"do": "send", "text": "ข่าว"}).status_code == 400
    assert bot.client.post(PAGE, data={"do": "send", "text": "ข่าว", "csrf_token": "forged"}).status_code == 400
    assert bot.client.post(f"{PAGE}/preview", data={}, headers=HX).status_code == 400
    assert bot.client.post(f"{PAGE}/reminders/{PROGRAM}", data={"enabled": "0"}).status_code == 400
    assert Broadcasts(r).list() == [] and bot.client.get(PAGE).status_code == 200


@redis
def test_without_a_session_the_page_sends_to_the_login(world) -> None:
    bot, *_ = world
    resp = bot.client.get(PAGE)
    assert resp.status_code == 302 and "/console/login" in resp.headers["Location"]
    assert bot.client.get(PAGE, headers={"Accept": "application/json"}).status_code == 401
    token = csrf(bot.client.get("/console/login").get_data(as_text=True))  # a valid token, but no one logged in
    assert bot.client.post(f"{PAGE}/preview", data={"csrf_token": token}, headers=HX).status_code == 401
    resp = bot.client.post(PAGE, data={"do": "send", "text": "ข่าว", "csrf_token": token})
    assert resp.status_code == 302 and "/console/login" in resp.headers["Location"]


def test_without_redis_the_page_says_so_and_offers_nothing(bot) -> None:
    staff = desk(bot)
    page = staff.get(PAGE)
    assert page.status_code == 200
    shown = text_of(page)
    assert "การส่งประกาศต้องใช้ Redis" in shown and 'id="bc-form"' not in shown and "/reminders/" not in shown
    assert staff.post(PAGE, {"do": "send", "text": "ข่าว"}, page=PAGE).status_code == 503
    assert staff.post(f"{PAGE}/preview", {}, page=PAGE, headers=HX).status_code == 503
