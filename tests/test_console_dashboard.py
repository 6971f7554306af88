"""The console's dashboard (issue 12, point 3): targets progress, the funnel, the conversation by
week, per-center targets, the fiscal-year picker, and center staff limited to their center.

People talk to the bot through the real webhook and dispatcher; staff read the page through the
real login. Both stores: the embedded one and real Redis.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date
from typing import Any

import pytest

from bot.console import funnel
from bot.daily import Daily
from bot.ids import user_key
from domain.kpi import compute
from tests.support import line
from tests.support.console import Console
from tests.support.harness import NOW, Bot, texts
from tests.support.walks import REGISTER_A_LITTLE, walk

STAFF = line.uid(0x5AFF)
FY = 2570  # NOW, 25 November 2026, is in fiscal year 2570
A, B, C, D = (line.uid(0xDA5000 + n) for n in range(4))
REST = [("โรงสีข้าว", "(6/10)"), ("3", "(7/10)"), ("12", "(8/10)"), ("๓", "(9/10)"), ("081 234 5678", "(10/10)"),
        ("ไม่มี", "ตรวจสอบใบสมัคร"), ("ยืนยัน", "ส่งใบสมัครแล้ว")]  # fmt: skip


def make(kind: str, classifier: Any, request: Any) -> Bot:
    if kind == "redis":
        from tests.support.redis_bot import RedisBot

        request.getfixturevalue("redis_client")  # an empty database, emptied again afterwards
        bot: Bot = RedisBot(classifier, request.getfixturevalue("redis_url"), staff=STAFF)
    else:
        bot = Bot(classifier, staff=STAFF)
    # As in embedded mode, the console sees the worker's (here frozen) clock.
    bot.client.application.extensions["dip"].dispatcher = bot.dispatcher
    return bot


@pytest.fixture(params=["memory", "redis"])
def bot(request: Any, classifier: Any) -> Bot:
    return make(request.param, classifier, request)


def follow(bot: Bot, user: str) -> None:
    bot.send(line.event("follow", user, follow={"isUnblocked": False}))


def register(bot: Bot, user: str, province: str, first: list[tuple[str, str]] | None = None) -> str:
    walk(bot, user, [*(first or REGISTER_A_LITTLE), (province, "(4/10)"), ("ก", "(5/10)"), *REST])
    return str(bot.store.items("leads", user_key(bot.settings.hash_key, user))[-1]["id"])


def town(bot: Bot) -> None:
    """A registers in Khon Kaen (ศภ.5), is confirmed and mentored; B applies from a program's card in
    Chonburi (ศภ.9); C consents only; D only follows. Staff act through the LINE staff commands."""
    for user in (A, B, C, D):
        follow(bot, user)
    lead = register(bot, A, "ขอนแก่น")
    assert "ยืนยันผู้เข้าร่วม" in texts(bot.say(STAFF, f"ยืนยันผู้เข้าร่วม {lead}"))
    program = bot.dispatcher.d.catalog.programs[0].id
    bot.send(line.event("postback", B, postback={"data": f"a=apply&p={program}"}))
    register(bot, B, "ชลบุรี", [("ยินยอม", "(1/10)"), ("ร้านทองดี", "(2/10)"), ("มาลี ใจดี", "(3/10)")])
    walk(bot, C, REGISTER_A_LITTLE[:2])
    bot.say(D, "สวัสดีครับ")
    assert "ส่งคำขอพี่เลี้ยงแล้ว" in texts(bot.say(A, "ขอพี่เลี้ยง"))
    intro = bot.store.get("profile", user_key(bot.settings.hash_key, A))["mentor_requests"][-1]["id"]
    assert "อนุมัติ" in texts(bot.say(STAFF, f"อนุมัติ {intro}"))


def page(desk: Console, fy: int = FY) -> str:
    resp = desk.get(f"/console/?fy={fy}")
    assert resp.status_code == 200
    return str(resp.get_data(as_text=True))


def step(html: str, name: str) -> str:
    m = re.search(rf'<tr data-step="{name}">.*?<td class="num count">([^<]*)</td>', html, re.S)
    assert m, name
    return m.group(1)


def card(html: str, measure: str) -> tuple[str, str]:
    """(achieved, target) of a targets card."""
    m = re.search(rf'<div class="card" data-measure="{measure}">.*?<span class="got">([^<]*)</span>'
                  r'(?:\s*<span class="muted">/ ([^<]*)</span>)?', html, re.S)  # fmt: skip
    assert m, measure
    return m.group(1), m.group(2) or ""


def center_row(html: str, center: str) -> str:
    m = re.search(rf'<tr data-center="{center}">(.*?)</tr>', html, re.S)
    return m.group(1) if m else ""


def rate(html: str, name: str) -> tuple[str, str]:
    """This week's (rate, count) of fallback, clarify or handoff."""
    m = re.search(rf'<div class="card" data-rate="{name}">.*?<span class="value">([^<]*)</span>.*?'
                  r'<span class="count">([^<]*)</span>', html, re.S)  # fmt: skip
    assert m, name
    return m.group(1), m.group(2)


def messages(html: str) -> str:
    m = re.search(r'<div class="card" data-rate="messages">.*?<div class="big">([^<]*)</div>', html, re.S)
    assert m
    return m.group(1)


def intent(html: str, name: str) -> tuple[str, str] | None:
    """(this week, fiscal year) of an intent in the list."""
    m = re.search(rf'<tr data-intent="{name}">.*?<td class="num week">([^<]*)</td><td class="num year">([^<]*)</td>',
                  html, re.S)  # fmt: skip
    return (m.group(1), m.group(2)) if m else None


def admin(bot: Bot) -> Console:
    desk = Console(bot)
    assert desk.login().status_code == 302
    return desk


def test_the_funnel_and_the_targets_count_what_people_did(bot: Bot) -> None:
    town(bot)
    html = page(admin(bot))
    # Followers: A, B, C, D and the staff member (a follower of the account too).
    expected = {"followers": "5", "consented": "3", "registered": "2", "matched": "1", "mentored": "1",
                "confirmed": "1"}  # fmt: skip
    assert {name: step(html, name) for name in expected} == expected
    assert card(html, "entrepreneurs") == ("1", "16,200")  # the confirmed participant, against the target
    assert card(html, "businesses") == ("1", "2,200") and card(html, "products") == ("3", "9,600")
    assert card(html, "entrepreneurs")[0] == step(html, "confirmed")
    assert "1 / <span" in center_row(html, "ipc5") and "0 / <span" in center_row(html, "ipc9")
    assert html.count("<svg") >= 4 and "https://" not in html and "http://" not in html.replace("http://localhost", "")
    assert bot.client.get("/console/static/dashboard.css").status_code == 200  # served locally, no CDN


def test_the_dashboard_matches_the_kpi_computation_of_the_same_records(bot: Bot) -> None:
    town(bot)
    people = funnel.load(bot.store)
    report = compute(funnel.pairs(people), bot.store.items("groups", str(FY)), FY)
    html = page(admin(bot))
    assert step(html, "registered") == str(len(report.leads["total"].people)) == "2"
    assert step(html, "confirmed") == str(len(report.confirmed["total"].people)) == "1"


def test_fallbacks_a_handoff_and_the_intents_show_in_this_weeks_figures(bot: Bot) -> None:
    user, other = line.uid(0xFA11), line.uid(0xFA12)
    bot.say(user, "สวัสดีครับ")
    bot.say(user, "???")  # nothing can route it: fallback
    bot.say(other, "🙏🙏")  # fallback
    bot.say(other, "ขอคุยกับเจ้าหน้าที่")  # a clear request: the case opens (handoff)
    bot.say(STAFF, "สวัสดีครับ")  # staff's own greeting is counted: only staff commands are not
    html = page(admin(bot))
    assert messages(html) == "5"
    assert rate(html, "fallback") == ("40.0%", "2")
    assert rate(html, "handoff") == ("20.0%", "1")
    assert intent(html, "fallback") == ("2", "2") and intent(html, "greeting") == ("2", "2")
    assert intent(html, "human") == ("1", "1")
    week = re.search(r'<tr data-week="2026-11-23">(.*?)</tr>', html, re.S)  # the week of NOW, in the table
    assert week and "40.0%" in week.group(1) and "20.0%" in week.group(1)
    assert "ตัวเลขทุกสัปดาห์" in html and "อัตราบอทไม่เข้าใจ" in html


def test_staff_commands_and_follows_are_not_messages_people_sent(bot: Bot) -> None:
    town(bot)  # A says 14 things, B 13 (a tap included), C 2, D 1; staff type 2 commands; 4 follows
    day = Daily(bot.store).days(NOW.date(), NOW.date())[NOW.date()]
    assert day["messages"] == 30 and not any(k.startswith("i:staff") or k == "i:follow" for k in day)
    assert day["i:form"] > 0 and day["i:mentor"] == 1 and "handoff" not in day


def test_a_re_run_of_the_same_event_does_not_count_twice(bot: Bot) -> None:
    user = line.uid(0x2E2)
    ev = line.text(user, "???")
    bot.send(ev)
    today = lambda: Daily(bot.store).days(NOW.date(), NOW.date())[NOW.date()]  # noqa: E731
    assert today() == {"messages": 1, "i:fallback": 1, "fallback": 1}
    bot.dispatcher.process(json.dumps(ev), 2)  # the worker died after the turn: the event runs again
    bot.dispatcher.process(json.dumps(ev), 3)
    assert today() == {"messages": 1, "i:fallback": 1, "fallback": 1}
    fresh = line.text(user, "🙂🙂")
    bot.dispatcher.process(json.dumps(fresh), 2)  # the first run died before counting: counted now
    assert today() == {"messages": 2, "i:fallback": 2, "fallback": 2}
    assert messages(page(admin(bot))) == "2"


def test_the_daily_counts_live_400_days_on_redis(classifier, request) -> None:
    bot = make("redis", classifier, request)
    bot.say(line.uid(0x400), "สวัสดีครับ")
    r = bot.store.r  # type: ignore[attr-defined]
    assert 399 * 86_400 < r.ttl(f"dip:daily:{NOW.date().isoformat()}") <= 400 * 86_400
    seen = [k for k in r.scan_iter(match="dip:daily-seen:*")]
    assert len(seen) == 1 and 0 < r.ttl(seen[0]) <= 2 * 86_400


def test_per_center_targets_show_and_add_up_to_the_national_ones(bot: Bot) -> None:
    from domain.targets import MEASURES, load

    targets = load()
    for m in MEASURES:
        assert sum(c.as_dict()[m] for c in targets.centers.values()) == targets.national()[m], m
    town(bot)
    html = page(admin(bot))
    assert '/ <span class="goal">1,100</span>' in center_row(html, "ipc5")  # ศภ.5's example target
    assert '/ <span class="goal">1,300</span>' in center_row(html, "ipc9")
    assert "16,200" in center_row(html, "sum") and "70" in center_row(html, "sum")


@pytest.mark.parametrize(
    ("broken", "field"),
    [
        ("targets: {entrepreneurs: 1, businesses: 1, products: 1, groups: 1}\n"
         "centers: {ipc5: {entrepreneurs: 10, businesses: 2, products: 5}}\n", "field centers.ipc5.groups"),
        ("targets: {entrepreneurs: 1, businesses: 1, products: 1, groups: 1}\n"
         "centers: {ipc12: {entrepreneurs: 1, businesses: 1, products: 1, groups: 1}}\n", "field centers.ipc12"),
        ("targets: {entreprenuers: 1, businesses: 1, products: 1, groups: 1}\n", "field targets.entrepreneurs"),
        ("targets: {entrepreneurs: many, businesses: 1, products: 1, groups: 1}\n", "field targets.entrepreneurs"),
    ],
)  # fmt: skip
def test_a_broken_targets_file_stops_start_up_naming_the_field(classifier, tmp_path, monkeypatch, capsys,
                                                                broken: str, field: str) -> None:  # fmt: skip
    import domain.targets

    path = tmp_path / "targets.yml"
    path.write_text(broken, encoding="utf-8")
    monkeypatch.setattr(domain.targets, "TARGETS", path)
    with pytest.raises(SystemExit) as stopped:
        Bot(classifier)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "start-up stopped" in err and "targets.yml" in err and field in err


def test_center_staff_see_their_center_only(bot: Bot) -> None:
    town(bot)
    desk = Console(bot, "malee", "center", "5")
    desk.login()
    html = page(desk)
    assert card(html, "entrepreneurs") == ("1", "1,100")  # ศภ.5's confirmed participant, its own target
    assert re.findall(r'<tr data-center="([^"]+)">', html) == ["ipc5"]
    assert step(html, "followers") == "—"  # a follower has told no center anything
    assert (step(html, "consented"), step(html, "registered"), step(html, "mentored")) == ("1", "1", "1")
    assert step(html, "matched") == "0" and step(html, "confirmed") == "1"
    assert 'id="by-track"' not in html and 'id="this-week"' not in html and 'id="chat-admins"' in html
    desk9 = Console(bot, "wichai", "center", "9")
    desk9.login()
    html9 = page(desk9)
    assert re.findall(r'<tr data-center="([^"]+)">', html9) == ["ipc9"]
    assert (step(html9, "registered"), step(html9, "matched"), step(html9, "confirmed")) == ("1", "1", "0")


def test_the_fiscal_year_picker_shows_another_year(bot: Bot) -> None:
    town(bot)
    desk = admin(bot)
    html = page(desk, FY - 1)
    assert '<option value="2569" selected>' in html and '<option value="2570">' in html
    assert step(html, "registered") == "0" and card(html, "entrepreneurs") == ("0", "16,200")
    assert step(html, "followers") == "5"  # followers and consents are as of today
    assert 'data-week="2025-11-24"' in html and 'data-week="2026-11-23"' not in html
    assert '<option value="2570" selected>' in page(desk, 9999)  # a year out of range: the current one


def test_the_funnel_of_20000_people_is_read_fast_on_redis(classifier, request, monkeypatch) -> None:
    """20,000 consenting followers, 10,000 with a registration, 1,000 confirmed, 500 mentored."""
    bot = make("redis", classifier, request)
    r = bot.store.r  # type: ignore[attr-defined]
    pipe = r.pipeline(transaction=False)
    for i in range(20_000):
        uh, center = f"{i:064x}", f"ipc{i % 11 + 1}"
        for k in ("all", "status:consented", f"center:{center}"):
            pipe.sadd(f"dip:{{seg}}:{k}", uh)
        approved = {"id": f"M{i}", "at": NOW.isoformat(), "status": "approved", "track": "agro"}
        profile = {"v": 1, "province": "ขอนแก่น", "mentor_requests": [approved] if i % 40 == 0 else []}
        pipe.set(f"dip:profile:{uh}", json.dumps(profile))
        if i % 2 == 0:
            fields = {"business_name": f"b{i}", "province": "ขอนแก่น", "track": "agro", "products": 2}
            lead = {"v": 1, "id": f"R{i}", "at": NOW.isoformat(), "center": center, "program": None,
                    "status": "confirmed" if i % 20 == 0 else "submitted", "fields": fields}  # fmt: skip
            pipe.rpush(f"dip:leads:{uh}", json.dumps(lead))
            pipe.zadd("dip:lead-index", {uh: i})
        if i % 2000 == 1999:
            pipe.execute()
    pipe.execute()
    import redis.connection

    trips = {"n": 0}  # round trips to Redis: one a command, one a pipeline or script call
    send = redis.connection.AbstractConnection.send_packed_command

    def counted(self: Any, *args: Any, **kw: Any) -> Any:
        trips["n"] += 1
        return send(self, *args, **kw)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counted)
    commands = lambda: trips["n"]  # noqa: E731
    before, started = commands(), time.perf_counter()
    people = funnel.load(bot.store)
    steps = dict(funnel.count(people, bot.store, FY, None, bot.dispatcher.d.catalog.center_of))
    took, sent = time.perf_counter() - started, commands() - before
    assert steps == {"followers": 20_000, "consented": 20_000, "registered": 10_000, "matched": 0,
                     "mentored": 500, "confirmed": 1_000}  # fmt: skip
    desk = admin(bot)
    before, started = commands(), time.perf_counter()
    html = page(desk)
    whole, page_sent = time.perf_counter() - started, commands() - before
    print(f"\nfunnel of 20,000 people on Redis: {took:.3f} s, {sent} round trips; "
          f"the whole dashboard page: {whole:.3f} s, {page_sent} round trips")  # fmt: skip
    assert step(html, "registered") == "10,000" and card(html, "entrepreneurs") == ("1,000", "16,200")
    assert sent < 60 and page_sent < 120  # batches, never a round trip per person
    assert took < 5.0 and whole < 8.0  # about 0.25 s and 0.3 s on a quiet 2-core machine


def test_weeks_of_a_year_not_begun_and_the_first_week_of_a_year() -> None:
    from bot.console.weekly import weeks, year_span
    from bot.store.memory import MemoryStore

    assert year_span(2570) == (date(2026, 10, 1), date(2027, 9, 30))
    store = MemoryStore()
    Daily(store).add("e1", date(2026, 10, 1), {"messages": 2, "fallback": 1})
    Daily(store).add("e2", date(2026, 9, 30), {"messages": 5})  # the year before: not read
    ws = weeks(store, 2570, date(2026, 10, 7))
    assert [w.start for w in ws] == [date(2026, 9, 28), date(2026, 10, 5)]
    assert ws[0].messages == 2 and ws[0].rate("fallback") == 50.0 and ws[1].rate("fallback") is None
    assert weeks(store, 2571, date(2026, 10, 7)) == []
