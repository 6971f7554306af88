"""The console's doors: sessions, CSRF, throttling, roles, one-time passwords, the audit log."""

from __future__ import annotations

from typing import Any

import pytest

from bot.console.accounts import Accounts, Audit
from tests.support.console import Console, csrf
from tests.support.harness import Bot

PAGES = ["/console/", "/console/accounts", "/console/audit", "/console/password"]


@pytest.fixture
def bot(classifier) -> Bot:
    return Bot(classifier)


def test_every_page_sends_a_stranger_to_the_login_and_json_callers_get_401(bot) -> None:
    for path in PAGES:
        resp = bot.client.get(path)
        assert resp.status_code == 302 and "/console/login" in resp.headers["Location"], path
        assert bot.client.get(path, headers={"Accept": "application/json"}).status_code == 401, path


def test_login_with_the_right_password_opens_the_dashboard_and_logout_closes_it(bot) -> None:
    desk = Console(bot)
    resp = desk.login()
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/console/")
    page = desk.get("/console/").get_data(as_text=True)
    assert "ผู้ประกอบการ" in page and "16,200" in page  # the yearly target, in Thai
    assert desk.post("/console/logout").status_code == 302
    assert desk.get("/console/").status_code == 302
    assert [e["action"] for e in Audit(bot.store).entries(who="somchai")][:2] == ["logout", "dashboard.viewed"]


def test_a_wrong_password_is_refused_and_five_lock_the_account_for_60_seconds(bot) -> None:
    desk = Console(bot)
    for _ in range(5):
        assert desk.login("wrong-password").status_code == 401
    locked = desk.login()  # even the right password, for 60 s
    assert locked.status_code == 429 and "60" in locked.get_data(as_text=True)


def test_forms_without_the_csrf_token_or_with_a_wrong_one_are_refused(bot) -> None:
    desk = Console(bot)
    assert bot.client.post("/console/login", data={"name": desk.name, "password": desk.password}).status_code == 400
    desk.login()
    assert bot.client.post("/console/logout").status_code == 400
    assert bot.client.post("/console/logout", data={"csrf_token": "forged"}).status_code == 400
    assert desk.get("/console/").status_code == 200  # still logged in


def test_a_one_time_password_must_be_replaced_before_anything_else(bot) -> None:
    secret = Accounts(bot.store).add("malee", "center", 5)
    token = csrf(bot.client.get("/console/login").get_data(as_text=True))
    bot.client.post("/console/login", data={"name": "malee", "password": secret, "csrf_token": token})
    assert bot.client.get("/console/").headers["Location"].endswith("/console/password")
    token = csrf(bot.client.get("/console/password").get_data(as_text=True))
    resp = bot.client.post("/console/password", data={"new": "a-longer-secret", "again": "a-longer-secret",
                                                      "csrf_token": token})  # fmt: skip
    assert resp.status_code == 302 and bot.client.get("/console/").status_code == 200
    assert Accounts(bot.store).check("malee", secret) is None and Accounts(bot.store).check("malee", "a-longer-secret")


def test_center_staff_cannot_open_admin_pages_and_a_disabled_account_cannot_log_in(bot) -> None:
    center = Console(bot, "malee", "center", "5")
    center.login()
    assert center.get("/console/accounts").status_code == 403
    assert center.get("/console/audit").status_code == 403
    admin = Console(bot, "somchai")
    admin.login()  # the same test client: now the admin's session
    token = admin.token("/console/accounts")
    assert bot.client.post("/console/accounts/malee/disable", data={"csrf_token": token}).status_code == 302
    assert Console(bot, "malee").login().status_code == 401
    rows = Audit(bot.store).entries(who="somchai")
    assert any(r["action"] == "account.disable" and r["target"] == "malee" for r in rows)


def test_admins_create_accounts_that_start_with_a_one_time_password(bot) -> None:
    admin = Console(bot)
    admin.login()
    resp = admin.post("/console/accounts", {"name": "Wichai", "role": "center", "center": "7"}, "/console/accounts")
    assert resp.status_code == 302
    account = Accounts(bot.store).get("wichai")
    assert account is not None and account.center == "ipc7" and account.one_time
    page = admin.get("/console/accounts").get_data(as_text=True)
    assert "wichai" in page and "รหัสผ่านใช้ครั้งเดียว" in page


def test_the_language_switches_to_english_and_back(bot) -> None:
    desk = Console(bot)
    desk.login()
    desk.post("/console/lang/en")
    assert "Entrepreneurs" in desk.get("/console/").get_data(as_text=True)
    desk.post("/console/lang/th")
    assert "ผู้ประกอบการ" in desk.get("/console/").get_data(as_text=True)


def test_the_login_page_names_no_cdn_and_serves_its_assets_itself(bot) -> None:
    html = bot.client.get("/console/login").get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "") and "https://" not in html
    for asset in ("console.css", "htmx.min.js", "console.js"):
        assert bot.client.get(f"/console/static/{asset}").status_code == 200


def test_the_staff_cli_adds_a_center_account_on_redis(redis_url, redis_client, monkeypatch, capsys) -> None:
    from bot.__main__ import main
    from bot.store.redis import RedisStore

    redis_client.flushdb()
    for k, v in {"REDIS_URL": redis_url, "USER_HASH_KEY": "k", "LINE_CHANNEL_SECRET": "c" * 32,
                 "LINE_CHANNEL_ACCESS_TOKEN": ""}.items():  # fmt: skip
        monkeypatch.setenv(k, v)
    assert main(["staff", "add", "Malee", "--role", "center", "--center", "5"]) == 0
    secret = capsys.readouterr().out.strip().rsplit(" ", 1)[-1]
    account = Accounts(RedisStore.from_url(redis_url)).check("malee", secret)
    assert account is not None and (account.role, account.center, account.one_time) == ("center", "ipc5", True)
    assert main(["staff", "add", "x y", "--role", "admin"]) == 2  # a bad name is named, nothing created
    assert "name:" in capsys.readouterr().out


def test_every_console_route_turns_away_a_stranger_and_every_post_needs_the_csrf_token(bot) -> None:
    app = bot.client.application
    open_to_all = {"console.login", "console.static", "console.language"}
    routes = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("console.")]
    assert len(routes) > 30, [r.rule for r in routes]  # every page module was found
    filled = {"lead_id": "R0000000000000", "case_id": "C0000000000000", "name": "somchai", "what": "reset",
              "iid": "x", "bid": "B0000000000000", "code": "en", "filename": "console.css"}  # fmt: skip

    urls = app.url_map.bind("localhost")

    def path(rule: Any) -> str:
        return str(urls.build(rule.endpoint, {a: filled.get(a, "x") for a in rule.arguments}, method=None))

    for rule in routes:
        if rule.endpoint in open_to_all:
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            resp = bot.client.open(path(rule), method=method, headers={"Accept": "application/json"})
            assert resp.status_code in (401, 400), (rule.rule, method, resp.status_code)
    desk = Console(bot)
    desk.login()
    for rule in routes:
        if "POST" in rule.methods and rule.endpoint not in open_to_all:
            resp = bot.client.post(path(rule), data={"csrf_token": "forged"})
            assert resp.status_code == 400, (rule.rule, resp.status_code)


def test_behind_a_proxy_each_client_address_is_throttled_on_its_own(classifier) -> None:
    bot = Bot(classifier)
    bot.settings = bot.settings.model_copy(update={"FORWARDED_HOPS": 1})
    from bot.app import create_app

    app = create_app({"settings": bot.settings, "store": bot.store, "queue": bot.queue})
    bot.client = app.test_client()
    Accounts(bot.store).add("somchai", "admin", password="somchai-password-1")
    for name in ("nobody-1", "nobody-2", "nobody-3", "nobody-4", "nobody-5"):  # one address guesses five accounts
        token = csrf(bot.client.get("/console/login").get_data(as_text=True))
        bot.client.post("/console/login", data={"name": name, "password": "x" * 10, "csrf_token": token},
                        headers={"X-Forwarded-For": "203.0.113.9"})  # fmt: skip
    token = csrf(bot.client.get("/console/login").get_data(as_text=True))
    form = {"name": "somchai", "password": "somchai-password-1", "csrf_token": token}
    assert bot.client.post("/console/login", data=form, headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 429
    assert bot.client.post("/console/login", data=form, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 302
