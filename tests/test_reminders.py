"""Deadline reminders on real Redis, as staff and users notice them: someone who tapped "สนใจสมัคร"
on a program's card and has not applied gets one reminder before its window closes (once, however
often the check runs); someone who applied, stopped announcements, refused consent or erased their
data gets none; staff see and switch reminders per program (API and CLI); quiet hours delay them and
the daily cap skips (and counts) whoever is at it. Delivery runs as the worker's job would."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from bot.broadcast import delivery, reminders, runner
from bot.broadcast.cap import cap_key
from bot.broadcast.cli import main as cli
from bot.broadcast.records import Broadcasts
from bot.ids import user_key
from domain.clock import BANGKOK
from tests.support import line
from tests.support.harness import texts
from tests.support.redis_bot import RedisBot, every_key_and_value
from tests.support.walks import walk
from tests.test_broadcast_api import AUTH, STAFF, TOKEN, FakeApi
from tests.test_key_inventory import PATTERNS

pytestmark = pytest.mark.redis
SOON = "creative-product-design"  # config/programs.yml: closes 2026-12-10
LATER = "agro-food-processing"  # closes 2027-03-31
DEC_5 = datetime(2026, 12, 5, 10, 0, tzinfo=BANGKOK)  # 5 days before SOON closes
APPLY = ["โรงสีข้าวทองดี", "สมชาย ใจดี", "ขอนแก่น", "ก", "โรงสีข้าว", "3", "12", "3", "081 234 5678", "ไม่มี", "ยืนยัน"]


def tap(bot: RedisBot, user: str, program: str) -> str:
    """The card's "สนใจสมัคร" button."""
    return texts(bot.send(line.event("postback", user, postback={"data": f"a=apply&p={program}"})))


@pytest.fixture
def world(classifier, redis_url, redis_client, monkeypatch):
    redis_client.flushdb()
    bot = RedisBot(classifier, redis_url, staff=STAFF)
    settings = bot.settings.model_copy(update={"ADMIN_API_TOKEN": TOKEN})
    rt = bot.client.application.extensions["dip"]
    rt.settings, rt.dispatcher, bot.dispatcher.d.settings = settings, bot.dispatcher, settings
    api = FakeApi()
    monkeypatch.setattr(delivery, "make_api", lambda _s: api)
    runner.configure(settings, redis_client, api=api)
    keen, applied, stopped, refused = (line.uid(n) for n in (0xC1, 0xC2, 0xC3, 0xC4))
    for u in (keen, applied, stopped, refused):
        bot.send(line.event("follow", u, follow={"isUnblocked": False}))
        assert "ขอความยินยอม" in tap(bot, u, SOON)
    for u in (keen, applied, stopped):
        walk(bot, u, [("ยินยอม", "(1/10)")])
    walk(bot, applied, [(s, "") for s in APPLY])
    walk(bot, stopped, [("ยกเลิก", ""), ("ยกเลิกรับข่าวสาร", "")])
    walk(bot, refused, [("ไม่ยินยอม", "")])
    yield bot, api, redis_client, (keen, applied, stopped, refused)
    runner.configure(None)


def check(bot: RedisBot, r: Any, now: datetime, **settings: Any) -> list[dict[str, Any]]:
    """The sweeper's hourly call at `now` (None: it already ran this hour)."""
    s = bot.client.application.extensions["dip"].settings.model_copy(update=settings)
    return reminders.hourly(r, settings=s, now=now)  # type: ignore[return-value]


def deliver(r: Any, bid: str) -> str:
    return runner.Job(r, bid, delivery.make_api(None), rps=1000, concurrency=2, timeout=5).run()


def rows(bot: RedisBot) -> dict[str, dict[str, Any]]:
    got = bot.client.get("/api/reminders", headers=AUTH)
    assert got.status_code == 200, got.json
    return {row["program"]: row for row in got.json["programs"]}


def test_an_interested_user_gets_one_reminder_and_those_who_applied_or_stopped_none(world) -> None:
    bot, api, r, (keen, applied, stopped, refused) = world
    uh = lambda u: user_key(bot.settings.hash_key, u)  # noqa: E731
    for u in (keen, stopped):
        assert json.loads(r.get(f"dip:profile:{uh(u)}"))["interests"] == [SOON]
    assert json.loads(r.get(f"dip:user:{uh(stopped)}"))["opted_out"]
    assert [x["program"] for x in map(json.loads, r.lrange(f"dip:leads:{uh(applied)}", 0, -1))] == [SOON]
    assert r.get(f"dip:profile:{uh(refused)}") is None  # no consent: nothing recorded
    assert check(bot, r, DEC_5 - timedelta(days=3)) == []  # 8 days before: not yet
    made = check(bot, r, DEC_5)
    assert [(m["program"], m["created_by"], m["targeted"]) for m in made] == [(SOON, "reminder", 1)]
    assert check(bot, r, DEC_5 + timedelta(minutes=30)) is None  # once an hour
    assert check(bot, r, DEC_5 + timedelta(hours=1)) == []  # and once per window
    assert deliver(r, made[0]["id"]) == "done"
    assert [to for to, _ in api.got] == [[keen]]
    card, text = api.got[0][1]
    assert card["type"] == "flex" and f"a=apply&p={SOON}" in json.dumps(card)  # its button starts the registration
    assert "ปิดรับสมัคร 10 ธ.ค. 2569 (อีก 5 วัน)" in text["text"] and "หยุดรับข่าวสาร" in text["text"]
    assert "ครับ" in text["text"] and "ค่ะ" not in text["text"]  # the bot's one particle
    everything = json.dumps(every_key_and_value(r), ensure_ascii=False)
    for k, v in every_key_and_value(r).items():
        if k.startswith(("dip:remind", "dip:bc", "dip:capday")):
            assert not any(u in k + v for u in (keen, applied, stopped, refused)), k  # HMAC keys only
    assert keen in everything  # (the user record itself does hold the ID)
    for k in r.scan_iter(count=500):
        spec = next((s for p, s in PATTERNS if p.match(k.decode())), None)
        assert spec is not None, f"{k!r}: add it to bot/store/base.py KEYS"
        if spec.ttl and k.startswith(b"dip:"):
            assert 0 < r.ttl(k) <= spec.ttl, k


def test_a_program_switched_off_sends_nothing_until_switched_on(world) -> None:
    bot, api, r, (keen, *_rest) = world
    bot.clock.advance(days=10)  # 5 Dec 2026: the staff API reads the same clock
    assert bot.client.get("/api/reminders").status_code == 401
    row = rows(bot)[SOON]
    assert (row["closes"], row["days_left"], row["state"], row["recipients"]) == ("2026-12-10", 5, "due", 1)
    assert rows(bot)[LATER]["state"] == "waiting"
    bad = [({"program": "nope", "enabled": False}, "program"), ({"program": SOON, "enabled": "no"}, "enabled")]
    for body, field in bad:
        resp = bot.client.post("/api/reminders", json=body, headers=AUTH)
        assert resp.status_code == 400 and resp.json["field"] == field
    off = bot.client.post("/api/reminders", json={"program": SOON, "enabled": False}, headers=AUTH).json
    assert (off["state"], off["enabled"], off["recipients"]) == ("off", False, 1)
    assert check(bot, r, DEC_5) == [] and api.got == []
    on = bot.client.post("/api/reminders", json={"program": SOON, "enabled": True}, headers=AUTH).json
    assert on["state"] == "due"
    made = check(bot, r, DEC_5 + timedelta(hours=1))
    assert len(made) == 1 and deliver(r, made[0]["id"]) == "done" and [to for to, _ in api.got] == [[keen]]
    row = rows(bot)[SOON]
    assert (row["state"], row["broadcast"]) == ("sent", made[0]["id"])


def test_quiet_hours_delay_the_reminder_to_the_first_check_after_them(world) -> None:
    bot, api, r, (keen, *_rest) = world
    quiet = {"BROADCAST_QUIET_HOURS": "21:00-08:00"}
    night = DEC_5.replace(hour=22)
    assert check(bot, r, night, **quiet) == []
    assert check(bot, r, night + timedelta(hours=5), **quiet) == []  # 03:00
    made = check(bot, r, night + timedelta(hours=10), **quiet)  # 08:00
    assert len(made) == 1 and deliver(r, made[0]["id"]) == "done"
    assert [to for to, _ in api.got] == [[keen]] and "(อีก 4 วัน)" in api.got[0][1][-1]["text"]


def test_the_daily_cap_skips_and_counts_whoever_is_at_it(world) -> None:
    bot, api, r, (keen, *_rest) = world
    second = line.uid(0xC5)
    bot.send(line.event("follow", second, follow={"isUnblocked": False}))
    tap(bot, second, SOON)
    walk(bot, second, [("ยินยอม", "(1/10)")])
    r.hset(cap_key(user_key(bot.settings.hash_key, keen)), DEC_5.date().isoformat(), 1)  # already had one today
    made = check(bot, r, DEC_5, BROADCAST_DAILY_CAP=1)
    assert deliver(r, made[0]["id"]) == "done" and [to for to, _ in api.got] == [[second]]
    rec = Broadcasts(r).get(made[0]["id"]) or {}
    assert (rec["targeted"], rec["sent"], rec["skipped"], rec["skipped_by"]["capped"]) == (2, 1, 1, 1)
    day = DEC_5.date().isoformat()
    assert r.hget(cap_key(user_key(bot.settings.hash_key, second)), day) == b"1"
    assert r.hget(cap_key(user_key(bot.settings.hash_key, keen)), day) == b"1"


def test_erasure_removes_the_interest_and_with_it_the_reminder(world) -> None:
    bot, api, r, (keen, *_rest) = world
    hashed = user_key(bot.settings.hash_key, keen)
    walk(bot, keen, [("ยกเลิก", ""), ("ลบข้อมูล", "ยืนยันลบข้อมูล"), ("ยืนยันลบข้อมูล", "ลบข้อมูลของคุณเรียบร้อยแล้ว")])
    held = [k for k, v in every_key_and_value(r).items() if hashed in k + v and not k.startswith("dip:dedupe:")]
    assert held == []
    assert check(bot, r, DEC_5) == [] and api.got == []


def test_the_cli_lists_and_switches_reminders(world, capsys, monkeypatch, redis_url) -> None:
    bot, _api, r, _users = world
    for k, v in {"REDIS_URL": redis_url, "USER_HASH_KEY": bot.settings.hash_key.decode(),
                 "LINE_CHANNEL_SECRET": "c" * 32, "LINE_CHANNEL_ACCESS_TOKEN": ""}.items():  # fmt: skip
        monkeypatch.setenv(k, v)
    assert cli(["reminders", "--off", SOON]) == 0
    assert "(off)" in capsys.readouterr().out and r.smembers(reminders.OFF) == {SOON.encode()}
    assert cli(["reminders"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 26 and any(x.startswith(SOON) and "(off)" in x for x in listed)
    assert cli(["reminders", "--on", SOON]) == 0 and r.smembers(reminders.OFF) == set()
    assert cli(["reminders", "--off", "nope"]) == 2
