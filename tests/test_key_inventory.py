"""Every Redis key the project writes is listed in bot/store/base.py KEYS with its class,
owner and TTL. A whole conversation on real Redis must leave no key the list does not name."""

from __future__ import annotations

import re
from pathlib import Path

from bot.ids import user_key
from bot.store.base import KEYS
from tests.support import line
from tests.support.redis_bot import RedisBot, every_key_and_value
from tests.support.walks import FINISH, REGISTER_A_LITTLE, walk

ROOT = Path(__file__).resolve().parent.parent


def pattern(spec_pattern: str) -> re.Pattern[str]:
    """{name} is any text, except the segment index's literal hash tag {seg}."""
    parts = re.split(r"(\{[a-z_]+\})", spec_pattern)
    wild = lambda p: p.startswith("{") and p != "{seg}"  # noqa: E731
    return re.compile("^" + "".join(".+" if wild(p) else re.escape(p) for p in parts) + "$")


PATTERNS = [(pattern(k.pattern), k) for k in KEYS]


def test_every_key_of_a_whole_conversation_is_in_the_inventory(classifier, redis_url, redis_client) -> None:
    staff = line.uid(0x5AFF)
    bot = RedisBot(classifier, redis_url, staff=staff)
    user = line.uid(0x1E7)
    bot.send(line.event("follow", user, follow={"isUnblocked": False}))
    walk(bot, user, REGISTER_A_LITTLE + FINISH)
    walk(bot, user, [("ขอพี่เลี้ยง", "พี่เลี้ยง"), ("ฮืมมม", ""), ("ข้อมูลของฉัน", "ข้อมูลที่บอทเก็บ"), ("ขอคุยกับเจ้าหน้าที่", "รับเรื่องแล้ว")])
    bot.say(line.uid(0x2E7), "ลบข้อมูล")
    bot.say(line.uid(0x2E7), "ยืนยันลบข้อมูล")
    keys = [k.decode() for k in redis_client.scan_iter(count=500)]
    unknown = [k for k in keys if not any(p.match(k) for p, _ in PATTERNS)]
    assert unknown == [], "add these to bot/store/base.py KEYS"
    seen = {spec.pattern for k in keys for p, spec in PATTERNS if p.match(k)}
    for expected in (
        "dip:user:{uh}",
        "dip:profile:{uh}",
        "dip:consent:{uh}",
        "dip:leads:{uh}",
        "dip:msgs:{uh}",
        "dip:case:{case_id}",
        "dip:erasures",
        "dip:lead-index",
        "dip:dedupe:{event_id}",
        "dip:{seg}:all",
        "dip:{seg}:of:{uh}",
        "dip:{seg}:{field}:{value}",
    ):
        assert expected in seen, expected
    for k in keys:  # every key with a TTL in the list has one in Redis
        spec = next(s for p, s in PATTERNS if p.match(k))
        if spec.ttl and k.startswith("dip:"):
            assert 0 < redis_client.ttl(k) <= spec.ttl, k


def test_erasure_leaves_the_user_in_no_key_the_inventory_names(classifier, redis_url, redis_client) -> None:
    bot = RedisBot(classifier, redis_url)
    user = line.uid(0xE5E)
    bot.send(line.event("follow", user, follow={"isUnblocked": False}))
    walk(bot, user, REGISTER_A_LITTLE + FINISH)
    hashed = user_key(bot.settings.hash_key, user)
    holding = lambda: {  # noqa: E731  (the inventory's patterns of the keys that name or hold the user)
        spec.pattern
        for k, v in every_key_and_value(redis_client).items()
        if hashed in k or hashed in v or user in v
        for p, spec in PATTERNS
        if p.match(k)
    }
    index = {"dip:{seg}:all", "dip:{seg}:of:{uh}", "dip:{seg}:{field}:{value}"}
    assert index | {"dip:user:{uh}", "dip:profile:{uh}", "dip:leads:{uh}", "dip:lead-index"} <= holding()
    walk(bot, user, [("ลบข้อมูล", "ยืนยันลบข้อมูล"), ("ยืนยันลบข้อมูล", "ลบข้อมูลของคุณเรียบร้อยแล้ว")])
    assert holding() <= {"dip:dedupe:{event_id}"}  # event IDs seen (no user data), kept 2 days


def test_no_code_writes_a_key_prefix_the_inventory_does_not_name() -> None:
    known = {k.pattern.split("{")[0].rstrip(":") for k in KEYS}
    known |= {k.pattern.rsplit(":", 1)[0] for k in KEYS}
    used: set[str] = set()
    for path in [*ROOT.glob("bot/**/*.py"), *ROOT.glob("handlers/*.py"), *ROOT.glob("nlp/*.py")]:
        used |= set(re.findall(r"[\"'f]+(dip:[a-z-]+)", path.read_text(encoding="utf-8")))
    assert sorted(u for u in used if u not in known) == []


def test_each_key_has_a_class_owner_and_purpose() -> None:
    for k in KEYS:
        assert k.data_class in ("operational", "personal", "auxiliary") and k.owner and k.purpose
    personal = {k.kind for k in KEYS if k.data_class == "personal"}
    assert {"profile", "draft", "consent", "msgs", "leads"} <= personal
