"""Staff broadcasting, the three ways in, on real Redis: the JSON API (token, fields, quota,
approval, cancel, preview, test), staff on LINE ("ประกาศ" through to the count and the send) and
the CLI. Delivery runs as the worker's job would, against a fake multicast API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from linebot.v3.messaging import MulticastRequest

from bot.broadcast import delivery, runner
from bot.broadcast.cli import main as cli
from tests.support import line
from tests.support.harness import texts
from tests.support.redis_bot import RedisBot
from tests.support.walks import walk

pytestmark = pytest.mark.redis
TOKEN = "t0ken-for-tests"
STAFF = line.uid(0x5AFF)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REGISTER = ["สมัคร", "ยินยอม", "โรงสีข้าวทองดี", "สมชาย ใจดี", "{province}", "ก", "โรงสีข้าว", "3", "12", "3",
            "081 234 5678", "ไม่มี", "ยืนยัน"]  # fmt: skip


class FakeApi:
    """LINE's multicast and quota: records every accepted retry key and recipient."""

    def __init__(self, limit: int | None = None, used: int = 0) -> None:
        self.limit, self.used, self.keys, self.got = limit, used, set(), []

    def multicast(self, data: bytes, key: str, timeout: float) -> tuple[int, str]:
        request = MulticastRequest.from_json(data.decode())  # a valid request, or this raises
        if key not in self.keys:
            self.keys.add(key)
            self.got.append((list(request.to), [m.to_dict() for m in request.messages]))
        return 200, ""

    def get_message_quota(self) -> Any:
        return type("Q", (), {"type": "limited" if self.limit is not None else "none", "value": self.limit})()

    def get_message_quota_consumption(self) -> Any:
        return type("U", (), {"total_usage": self.used})()


@pytest.fixture
def world(classifier, redis_url, redis_client, monkeypatch):
    redis_client.flushdb()
    bot = RedisBot(classifier, redis_url, staff=STAFF)
    settings = bot.settings.model_copy(update={"ADMIN_API_TOKEN": TOKEN})
    bot.client.application.extensions["dip"].settings = settings
    bot.dispatcher.d.settings = settings
    api = FakeApi()
    monkeypatch.setattr(delivery, "make_api", lambda _s: api)
    runner.configure(settings, redis_client, api=api)
    yield bot, api, redis_client, audience(bot)
    runner.configure(None)


def audience(bot: Any) -> tuple[str, str, str]:
    """Four followers: one registered in ขอนแก่น, one in เชียงใหม่, one who stopped announcements."""
    khon_kaen, chiang_mai, quiet = line.uid(0xB1), line.uid(0xB2), line.uid(0xB3)
    for u in (khon_kaen, chiang_mai, quiet, line.uid(0xB4)):
        bot.send(line.event("follow", u, follow={"isUnblocked": False}))
    walk(bot, khon_kaen, [(s.format(province="ขอนแก่น"), "") for s in REGISTER])
    walk(bot, chiang_mai, [(s.format(province="เชียงใหม่"), "") for s in REGISTER])
    bot.say(quiet, "ยกเลิกรับข่าวสาร")
    return khon_kaen, chiang_mai, quiet


def post(bot, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return bot.client.post(path, json=body, headers=AUTH if headers is None else headers)


def deliver(r: Any, bid: str) -> str:
    return runner.Job(r, bid, delivery.make_api(None), rps=1000, concurrency=2, timeout=5).run()


def test_the_api_needs_the_token_and_names_the_bad_field(world) -> None:
    bot, *_ = world
    assert post(bot, "/api/broadcasts", {"text": "x"}, headers={}).status_code == 401
    assert post(bot, "/api/broadcasts", {"text": "x"}, headers={"Authorization": "Bearer nope"}).status_code == 401
    for body, field in [({"text": ""}, "text"), ({"text": "x", "segment": {"track": "fishing"}}, "segment.track"),
                        ({"text": "x", "segment": {"colour": "red"}}, "segment.colour"),
                        ({"text": "x", "schedule_at": "next week"}, "schedule_at"),
                        ({"text": "x" * 6000}, "text"), ({"text": "x", "program": "nope"}, "program")]:  # fmt: skip
        resp = post(bot, "/api/broadcasts", body)
        assert resp.status_code == 400 and resp.json["field"] == field, (body, resp.json)
    big = bot.client.post("/api/broadcasts", data=b"{" + b" " * 70_000 + b"}", headers=AUTH,
                          content_type="application/json")  # fmt: skip
    assert big.status_code == 413
    assert bot.client.get("/api/broadcasts", headers=AUTH).json["broadcasts"] == []


def test_a_segment_broadcast_reaches_exactly_the_matching_people_once(world) -> None:
    bot, api, r, (khon_kaen, chiang_mai, quiet) = world
    preview = post(bot, "/api/segments/preview", {"segment": {}}).json
    assert preview["recipients"] == 3  # four followed, one stopped announcements
    resp = post(bot, "/api/broadcasts", {"text": "อบรมแปรรูปข้าว 5 ธ.ค.", "segment": {"track": "agro",
                                         "province": "ขอนแก่น"}})  # fmt: skip
    assert resp.status_code == 202 and resp.json["targeted"] == 1
    bid = resp.json["id"]
    assert deliver(r, bid) == "done"
    assert deliver(r, bid) in ("done", None, "ended")  # a second run sends nothing more
    assert [to for to, _ in api.got] == [[khon_kaen]]
    text = api.got[0][1][-1]["text"]
    assert "อบรมแปรรูปข้าว" in text and "หยุดรับข่าวสาร" in text
    rec = bot.client.get(f"/api/broadcasts/{bid}", headers=AUTH).json
    assert (rec["status"], rec["targeted"], rec["sent"], rec["failed"]) == ("done", 1, 1, 0)
    assert quiet not in json.dumps(api.got) and chiang_mai not in json.dumps(api.got)


def test_over_the_quota_is_refused_and_nothing_is_created(world) -> None:
    bot, api, *_ = world
    api.limit, api.used = 100, 99
    resp = post(bot, "/api/broadcasts", {"text": "ข่าวใหม่"})
    assert resp.status_code == 409 and resp.json == {"error": "quota", "needed": 3, "left": 1}
    assert bot.client.get("/api/broadcasts", headers=AUTH).json["broadcasts"] == []


def test_approval_needs_another_person_and_cancel_stops_a_scheduled_one(world) -> None:
    bot, api, r, _ = world
    settings = bot.client.application.extensions["dip"].settings.model_copy(update={"BROADCAST_APPROVAL": True})
    bot.client.application.extensions["dip"].settings = settings
    bid = post(bot, "/api/broadcasts", {"text": "งานแสดงสินค้า"}).json["id"]
    assert bot.client.get(f"/api/broadcasts/{bid}", headers=AUTH).json["status"] == "awaiting_approval"
    assert post(bot, f"/api/broadcasts/{bid}/approve", {}).status_code == 409  # the token is staff "api"
    assert post(bot, f"/api/broadcasts/{bid}/approve", {"by": "somchai"}).status_code == 200
    assert deliver(r, bid) == "done" and len(api.got) == 1
    later = post(bot, "/api/broadcasts", {"text": "ปีหน้า", "schedule_at": "2030-01-05T09:00:00+07:00",
                                          "by": "somchai"}).json["id"]  # fmt: skip
    assert post(bot, f"/api/broadcasts/{later}/cancel", {}).json["status"] == "cancelled"
    assert post(bot, f"/api/broadcasts/{bid}/cancel", {}).status_code == 409  # done: too late


def test_staff_announce_on_line_with_a_count_and_others_cannot(world) -> None:
    bot, api, r, (khon_kaen, *_rest) = world
    assert "พิมพ์ข้อความประกาศ" not in texts(bot.say(khon_kaen, "ประกาศ"))
    assert "พิมพ์ข้อความประกาศ" in texts(bot.say(STAFF, "ประกาศ"))
    assert "ส่งถึงใคร" in texts(bot.say(STAFF, "เปิดรับสมัครคลัสเตอร์ข้าว ถึง 20 ธ.ค."))
    seen = texts(bot.say(STAFF, "ขอนแก่น"))
    assert "จำนวน 1 คน" in seen and "จังหวัด ขอนแก่น" in seen, seen
    assert "ตัวอย่าง" in texts(bot.say(STAFF, "ส่งทดสอบ"))
    seen = texts(bot.say(STAFF, "ยืนยันส่ง"))
    assert "เริ่มส่งถึง 1 คน" in seen, seen
    bid = runner.Broadcasts(r).list()[0]["id"]
    deliver(r, bid)
    assert [to for to, _ in api.got] == [[khon_kaen]]


def test_the_cli_previews_a_segment(world, capsys, monkeypatch, redis_url) -> None:
    bot, *_ = world
    for k, v in {"REDIS_URL": redis_url, "USER_HASH_KEY": bot.settings.hash_key.decode(),
                 "LINE_CHANNEL_SECRET": "c" * 32, "LINE_CHANNEL_ACCESS_TOKEN": ""}.items():  # fmt: skip
        monkeypatch.setenv(k, v)
    assert cli(["--track", "agro", "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["recipients"] == 2


def test_the_report_counts_recipients_who_start_a_registration_for_its_program(world) -> None:
    bot, api, r, (khon_kaen, chiang_mai, _quiet) = world
    program = "agro-food-processing"
    bid = post(bot, "/api/broadcasts", {"text": "เปิดรับแล้ว", "program": program,
                                        "segment": {"province": "ขอนแก่น"}}).json["id"]  # fmt: skip
    assert deliver(r, bid) == "done"
    assert api.got[0][1][0]["type"] == "flex"  # the program's card, its buttons start the registration
    tap = {"data": f"a=apply&p={program}"}
    for who in (khon_kaen, khon_kaen, chiang_mai):  # the same recipient twice; someone who did not get it
        bot.send(line.event("postback", who, postback=tap))
    rec = bot.client.get(f"/api/broadcasts/{bid}", headers=AUTH).json
    assert (rec["sent"], rec["registrations_7d"]) == (1, 1)


def test_a_reply_to_a_program_broadcast_is_about_that_program(world) -> None:
    bot, _api, r, (khon_kaen, chiang_mai, _quiet) = world
    bid = post(bot, "/api/broadcasts", {"text": "เปิดรับสมัครแล้ว รับ 30 ราย", "program": "agro-food-processing",
                                        "segment": {"province": "ขอนแก่น"}}).json["id"]  # fmt: skip
    assert deliver(r, bid) == "done"
    # The recipient asks straight back, without naming the program.
    answer = texts(bot.say(khon_kaen, "ต้องใช้เอกสารอะไรบ้างคะ"))
    assert "แปรรูปเกษตรและอาหาร" in answer and "เอกสาร" in answer and "โครงการไหน" not in answer, answer
    answer = texts(bot.say(khon_kaen, "มีค่าใช้จ่ายไหม"))  # the topic holds for the next question too
    assert "แปรรูปเกษตรและอาหาร" in answer, answer
    # Someone who did not get it is asked which program.
    assert "โครงการไหน" in texts(bot.say(chiang_mai, "ต้องใช้เอกสารอะไรบ้างคะ"))
