"""Who a broadcast reaches (bot/broadcast/segments.py), as staff would see it in a preview:
people who follow the bot, register for different tracks and provinces, stop announcements,
unfollow, withdraw consent or erase their data, on the memory store and on real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.broadcast import segments as seg_module
from bot.broadcast.membership import memberships
from bot.broadcast.segments import FIELDS, SegmentError, Segments, key, parse_segment
from bot.ids import user_key
from bot.store.base import SEGMENT_ALL, segment_of
from domain.catalog import Catalog
from tests.support import line
from tests.support.harness import Bot, texts
from tests.support.walks import REGISTER_A_LITTLE, walk

STAFF = line.uid(0x5E6)
CATALOG = Catalog()
KHON_KAEN = CATALOG.center_of["ขอนแก่น"].id
CHIANG_MAI = CATALOG.center_of["เชียงใหม่"].id
REGISTERS = {  # who registers, with (province, track as typed in the form)
    "anan": ("ขอนแก่น", "ก"),  # agro
    "bua": ("เชียงใหม่", "ส"),  # creative, confirmed by staff
    "chai": ("ขอนแก่น", "อ"),  # smart
    "fah": ("ขอนแก่น", "ก"),  # stops announcements
    "gun": ("ขอนแก่น", "ก"),  # unfollows
    "hom": ("ชลบุรี", "ก"),  # withdraws consent
    "ing": ("ขอนแก่น", "ก"),  # erases everything
}
USERS = {name: line.uid(0x5E6000 + n) for n, name in enumerate([*REGISTERS, "dao", "ek"])}


def follow(bot: Bot, user: str) -> None:
    bot.send(line.event("follow", user, follow={"isUnblocked": False}))


def register(bot: Bot, user: str, province: str, track: str) -> None:
    rest = [("โรงสีข้าว", "(6/10)"), ("3", "(7/10)"), ("12", "(8/10)"), ("๓", "(9/10)"), ("081 234 5678", "(10/10)")]
    walk(bot, user, [*REGISTER_A_LITTLE, (province, "(4/10)"), (track, "(5/10)"), *rest])
    walk(bot, user, [("ไม่มี", "ตรวจสอบใบสมัคร"), ("ยืนยัน", "ส่งใบสมัครแล้ว")])


def build_town(bot: Bot) -> Bot:
    for name, (province, track) in REGISTERS.items():
        follow(bot, USERS[name])
        register(bot, USERS[name], province, track)
    follow(bot, USERS["dao"])
    walk(bot, USERS["dao"], REGISTER_A_LITTLE[:2])  # consents, registers nothing (yet)
    follow(bot, USERS["ek"])
    bot.say(USERS["ek"], "สวัสดีครับ")  # follows, never consents
    bot.say(USERS["fah"], "หยุดรับข่าวสาร")
    bot.send(line.event("unfollow", USERS["gun"]))
    walk(bot, USERS["hom"], [("ถอนความยินยอม", "ยืนยันถอนความยินยอม"), ("ยืนยันถอนความยินยอม", "ถอนความยินยอมแล้ว")])
    walk(bot, USERS["ing"], [("ลบข้อมูล", "ยืนยันลบข้อมูล"), ("ยืนยันลบข้อมูล", "ลบข้อมูลของคุณเรียบร้อยแล้ว")])
    lead = bot.store.items("leads", uh(bot, "bua"))[0]["id"]
    assert "ยืนยันผู้เข้าร่วม" in texts(bot.say(STAFF, f"ยืนยันผู้เข้าร่วม {lead}"))
    return bot


def uh(bot: Bot, name: str) -> str:
    return user_key(bot.settings.hash_key, USERS.get(name, name))


def who(bot: Bot, members: list[str]) -> set[str]:
    names = {uh(bot, n): n for n in [*USERS, STAFF]}
    return {names[m] if m != uh(bot, STAFF) else "staff" for m in members}


@pytest.fixture(scope="module", params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def town(request: Any, classifier: Any) -> Iterator[Bot]:
    if request.param == "memory":
        yield build_town(Bot(classifier, staff=STAFF))
        return
    import redis

    from tests.support.redis_bot import RedisBot

    url = request.getfixturevalue("redis_url")
    client = redis.Redis.from_url(url)
    client.flushdb()
    yield build_town(RedisBot(classifier, url, staff=STAFF))
    client.flushdb()


def reach(bot: Bot, segment: dict[str, Any] | None) -> set[str]:
    s = Segments(bot.store)
    found = who(bot, s.members(segment))
    assert s.count(segment) == len(found)
    return found


def test_everyone_is_every_active_subscriber_consented_or_not_and_nobody_who_left(town: Bot) -> None:
    everyone = {"anan", "bua", "chai", "dao", "ek", "hom", "staff"}
    assert reach(town, None) == reach(town, {}) == everyone
    s = Segments(town.store)
    asked = ("anan", "ek", "fah", "gun", "ing")
    assert s.active_many([uh(town, n) for n in asked]) == [True, True, False, False, False]
    assert s.active(uh(town, "hom")) and not s.active(uh(town, "fah")) and s.active_many([]) == []


def test_a_track_a_province_and_a_center_reach_only_consenting_registered_people(town: Bot) -> None:
    # fah (stopped announcements), gun (unfollowed), hom (withdrew) and ing (erased) registered too
    assert reach(town, {"track": "agro"}) == {"anan"}
    assert reach(town, {"track": "creative"}) == {"bua"}
    assert reach(town, {"province": "ขอนแก่น"}) == {"anan", "chai"}
    assert reach(town, {"province": "ชลบุรี"}) == set()
    assert reach(town, {"center": KHON_KAEN}) == {"anan", "chai"}
    assert reach(town, {"center": CHIANG_MAI}) == {"bua"}
    assert reach(town, {"center": CHIANG_MAI.removeprefix("ipc")}) == {"bua"}  # "1" is ipc1


def test_a_list_is_any_of_and_fields_together_are_all_of(town: Bot) -> None:
    assert reach(town, {"province": ["ขอนแก่น", "เชียงใหม่"]}) == {"anan", "bua", "chai"}
    assert reach(town, {"track": "agro", "province": "ขอนแก่น"}) == {"anan"}
    assert reach(town, {"track": ["agro", "smart"], "province": ["ขอนแก่น", "เชียงใหม่"]}) == {"anan", "chai"}
    assert reach(town, {"track": ["agro", "creative"], "center": [KHON_KAEN, CHIANG_MAI]}) == {"anan", "bua"}
    assert reach(town, {"track": "creative", "province": "ขอนแก่น"}) == set()


def test_registration_status_follows_consent_registrations_and_staff_confirmation(town: Bot) -> None:
    assert reach(town, {"status": "consented"}) == {"anan", "bua", "chai", "dao"}
    assert reach(town, {"status": "registered"}) == {"anan", "bua", "chai"}
    assert reach(town, {"status": "confirmed"}) == {"bua"}
    assert reach(town, {"status": ["confirmed", "consented"], "track": "creative"}) == {"bua"}


def test_people_who_left_or_erased_are_in_no_set(town: Bot) -> None:
    for name in ("fah", "gun", "ing"):
        assert in_sets(town, uh(town, name)) == [], name
    assert in_sets(town, uh(town, "hom")) == [SEGMENT_ALL]  # withdrew consent: still hears announcements
    erased = uh(town, "ing")
    if hasattr(town.store, "r"):
        from tests.support.redis_bot import every_key_and_value

        after = every_key_and_value(town.store.r)
        assert [k for k, v in after.items() if erased in k or erased in v if not k.startswith("dip:dedupe:")] == []
        assert [k for k in after if k.startswith("dip:{seg}:tmp:")] == []  # a preview leaves nothing behind


def in_sets(bot: Bot, member: str) -> list[str]:
    if hasattr(bot.store, "r"):
        keys = [k.decode() for k in bot.store.r.scan_iter(match="dip:{seg}:*")]
        return sorted(k for k in keys if bot.store.r.type(k) == b"set" and bot.store.r.sismember(k, member))
    return sorted(k for k, members in bot.store._sets.items() if member in members)


@pytest.mark.parametrize("where", ["memory", pytest.param("redis", marks=pytest.mark.redis)])
def test_coming_back_puts_people_back_and_a_chat_that_changes_nothing_writes_nothing(
    where: str, classifier: Any, request: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if where == "redis":
        from tests.support.redis_bot import RedisBot

        request.getfixturevalue("redis_client")
        bot: Bot = RedisBot(classifier, request.getfixturevalue("redis_url"))
    else:
        bot = Bot(classifier)
    user = USERS["fah"]
    follow(bot, user)
    register(bot, user, "เชียงใหม่", "อ")
    smart_in_chiang_mai = {"track": "smart", "province": "เชียงใหม่"}
    assert reach(bot, smart_in_chiang_mai) == {"fah"}
    writes: list[set[str]] = []
    real = Segments.update

    def counted(self: Segments, member: str, keys: set[str]) -> None:
        writes.append(keys)
        real(self, member, keys)

    monkeypatch.setattr(Segments, "update", counted)
    bot.say(user, "สวัสดีครับ")
    bot.say(user, "โครงการเกษตรมีอะไรบ้าง")
    assert writes == []  # nothing relevant changed: no index write
    bot.say(user, "หยุดรับข่าวสาร")
    assert reach(bot, smart_in_chiang_mai) == reach(bot, {}) == set() and len(writes) == 1
    bot.say(user, "รับข่าวสาร")
    assert reach(bot, smart_in_chiang_mai) == {"fah"}
    bot.send(line.event("unfollow", user))
    assert reach(bot, {}) == set()
    bot.send(line.event("follow", user, follow={"isUnblocked": True}))
    assert reach(bot, smart_in_chiang_mai) == reach(bot, {"status": "registered"}) == {"fah"}
    assert len(writes) == 4


def test_a_segment_is_checked_and_every_error_names_its_field() -> None:
    assert parse_segment(None) == parse_segment({}) == {}
    assert parse_segment({"province": "ขอนแก่น", "track": ["Agro ", "smart", "agro"], "center": "4"}) == {
        "track": ["agro", "smart"],
        "province": ["ขอนแก่น"],
        "center": ["ipc4"],
    }
    bad: list[tuple[dict[str, Any], str]] = [
        ({"colour": "red"}, "colour"),
        ({"track": "fishing"}, "track"),
        ({"track": []}, "track"),
        ({"province": ["ขอนแก่น", 7]}, "province"),
        ({"center": "ipc12"}, "center"),
        ({"status": "vip"}, "status"),
        ({"cohort": ""}, "cohort"),
        ({"sector": None}, "sector"),
    ]
    for segment, field in bad:
        with pytest.raises(SegmentError) as e:
            parse_segment(segment)
        assert e.value.field == field and field in str(e.value)
    with pytest.raises(SegmentError) as e:
        parse_segment({"province": "ขอนแก่นน"}, catalog=CATALOG)
    assert e.value.field == "province"
    assert parse_segment({"program": [CATALOG.programs[0].id]}, catalog=CATALOG)["program"] == [CATALOG.programs[0].id]
    assert set(FIELDS) == {"track", "province", "center", "status", "program", "cohort", "sector"}


def test_memberships_read_the_profile_only_with_consent_and_never_for_a_group() -> None:
    user = {"v": 1, "id": line.uid(1), "following": True}
    profile = {"track": "smart", "province": "ขอนแก่น", "cohort": 3, "sector_tag": "rice", "interests": ["itc"]}
    leads: list[dict[str, Any]] = [{"id": "R1", "program": "smart-sme", "status": "confirmed"}, {"id": "R2"}]
    got = memberships(user, profile, True, leads, CATALOG)
    assert got == {SEGMENT_ALL, *(key(f, v) for f, v in [
        ("status", "consented"), ("status", "registered"), ("status", "confirmed"), ("track", "smart"),
        ("province", "ขอนแก่น"), ("center", KHON_KAEN), ("cohort", "3"), ("sector", "rice"),
        ("program", "itc"), ("program", "smart-sme")])}  # fmt: skip
    assert memberships(user, profile, False, leads, CATALOG) == {SEGMENT_ALL}
    assert memberships({**user, "opted_out": True}, profile, True, leads, CATALOG) == set()
    assert memberships({**user, "following": False}, profile, True, leads, CATALOG) == set()
    assert memberships({**user, "id": "C" + "0" * 32}, profile, True, leads, CATALOG) == set()
    assert memberships(None, profile, True, leads, CATALOG) == set()
    assert memberships(user, {"track": "fishing", "province": 5}, True, [], CATALOG) == {
        SEGMENT_ALL,
        key("status", "consented"),
    }


def test_the_memory_store_erases_the_index_too() -> None:
    from bot.store.memory import MemoryStore

    store = MemoryStore()
    s = Segments(store)
    s.update("u1", {SEGMENT_ALL, key("track", "agro")})
    s.update("u2", {SEGMENT_ALL, key("track", "agro")})
    s.update("u1", {SEGMENT_ALL, key("track", "smart")})
    assert s.members({"track": "agro"}) == ["u2"] and store.smembers(segment_of("u1")) == {
        SEGMENT_ALL,
        key("track", "smart"),
    }
    store.erase("u1", "sha", "2026-11-25T10:00:00+07:00")
    assert not any("u1" in members for members in store._sets.values()) and segment_of("u1") not in store._sets
    s.remove("u2")
    assert store._sets == {} and seg_module.SEGMENT_ALL == SEGMENT_ALL
