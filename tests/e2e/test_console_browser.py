"""The staff console in a real browser: Playwright (Python) drives Debian's Chromium headless
against the Procfile's processes (tests/e2e/stack.py: gunicorn web, worker, Redis, linefake).
Each test leaves a screenshot of its page under reports/console/ (looked at by a person, as an
officer would)."""

from __future__ import annotations

import csv
import io
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.console.accounts import Accounts
from domain.clock import BANGKOK
from tests.e2e.stack import ROOT
from tests.e2e.test_linefake import new_user, said
from tests.e2e.test_staff_broadcast import REGISTER

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "reports" / "console"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]  # fmt: skip  (CI runs as root; the network is closed)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} not found: .ci/run installs it (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} not found: sudo apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def site(stack) -> dict[str, Any]:
    """The web's base URL and an admin account (made in Redis as `python -m bot staff add` does)."""
    from bot.store.redis import RedisStore

    store = RedisStore.from_url(stack["env"]["REDIS_URL"])
    accounts = Accounts(store)
    for name, role, center in (("somchai", "admin", None), ("malee", "center", "5")):
        if accounts.get(name) is None:
            accounts.add(name, role, center, password=f"{name}-password-1")
    return {"base": stack["webhook"].rsplit("/", 1)[0], "store": store}


def login(browser: Any, site: dict[str, Any], name: str = "somchai", phone: bool = False) -> Any:
    size = {"width": 390, "height": 844} if phone else {"width": 1366, "height": 900}
    page = browser.new_page(viewport=size, locale="th-TH")
    page.goto(site["base"] + "/console/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", f"{name}-password-1")
    page.click("form#login button[type=submit]")
    page.wait_for_url("**/console/")
    return page


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def register(line: Any, user: str, n: int, province: str = "ตราด") -> None:
    """An entrepreneur registers through LINE (linefake -> web -> Redis -> worker)."""
    line.follow(user)
    for says in REGISTER:
        assert line.text(user, says.format(n=n % 100, province=province))[0] == 200
        line.wait_quiet(user, quiet=0.3, timeout=15)


def wait_for(check: Any, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if got := check():
            return got
        time.sleep(0.2)
    raise AssertionError("not within the time")


def test_an_officer_logs_in_and_the_dashboard_matches_the_data(browser, site, line) -> None:
    from domain.kpi import compute, fiscal_year

    register(line, new_user(401), 401)
    page = login(browser, site)
    store = site["store"]
    leads = [(uh, x) for uh in store.index_members("dip:lead-index") for x in store.items("leads", uh)]
    fy = fiscal_year(datetime.now(BANGKOK))
    people, businesses, products = compute(leads, store.items("groups", str(fy)), fy).confirmed["total"].row() if any(
        x.get("status") == "confirmed" for _, x in leads) else (0, 0, 0)  # fmt: skip
    cards = {
        m: page.locator(f"[data-measure={m}] .got").inner_text() for m in ("entrepreneurs", "businesses", "products")
    }
    assert cards == {"entrepreneurs": f"{people:,}", "businesses": f"{businesses:,}", "products": f"{products:,}"}
    assert page.locator("[data-measure=entrepreneurs] .big").inner_text().endswith("16,200")
    registered = len({uh for uh, _ in leads})
    assert page.locator("#funnel tr[data-step=registered] td.num").first.inner_text() == f"{registered:,}"
    shot(page, "dashboard")
    page.close()


def test_leads_are_exported_as_a_csv_excel_reads_in_thai(browser, site, line) -> None:
    register(line, new_user(402), 402)
    page = login(browser, site)
    page.goto(site["base"] + "/console/leads")
    shot(page, "leads")
    with page.expect_download() as got:
        page.click("a[download]")
    raw = Path(got.value.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert any("ร้าน2" in cell for row in rows[1:] for cell in row), rows[:3]
    page.click("#leads tbody tr a")
    shot(page, "lead-detail")
    page.close()


def test_staff_answer_a_handoff_the_user_gets_it_on_line_and_resolve_hands_back(browser, site, line) -> None:
    user = new_user(403)
    line.follow(user)
    line.wait_quiet(user, quiet=0.3, timeout=15)
    line.text(user, "ขอคุยกับเจ้าหน้าที่ครับ")
    line.wait_quiet(user, quiet=0.3, timeout=15)
    page = login(browser, site)
    page.goto(site["base"] + "/console/handoffs")
    page.wait_for_selector("#handoff-table tbody tr a", timeout=15_000)  # polled every 5 s
    shot(page, "handoffs")
    page.click("#handoff-table tbody tr:last-child a")
    page.fill("#reply textarea", "สวัสดีครับ เจ้าหน้าที่ ศภ. รับเรื่องแล้ว จะโทรกลับภายในวันนี้ครับ")
    page.click("#reply button[type=submit]")
    wait_for(lambda: "จะโทรกลับภายในวันนี้" in said(line.deliveries(user)))
    shot(page, "handoff-case")
    page.click("#resolve button[type=submit]")
    line.text(user, "โครงการสาย ก มีอะไรบ้าง")
    assert wait_for(lambda: "อุตสาหกรรมเกษตร" in said(line.wait_quiet(user, quiet=0.3, timeout=15)) or None)
    page.close()


def test_staff_compose_and_send_a_segment_broadcast(browser, site, line) -> None:
    trat, other = new_user(404), new_user(405)
    register(line, trat, 404, "ตราด")
    register(line, other, 405, "ระนอง")
    page = login(browser, site)
    page.goto(site["base"] + "/console/broadcasts")
    page.fill("#bc-form textarea[name=text]", "อบรมการตลาดออนไลน์ฟรี 12 ธ.ค. ที่ ศภ.6")
    page.select_option("#bc-form select[name=province]", "ตราด")
    page.wait_for_timeout(1500)  # the live count (htmx)
    shot(page, "broadcast-compose")
    page.click("#bc-form button[value=send]")
    page.wait_for_load_state()
    shot(page, "broadcast-sent")
    wait_for(lambda: "อบรมการตลาดออนไลน์ฟรี" in said(line.deliveries(trat)), timeout=30)
    assert "อบรมการตลาดออนไลน์ฟรี" not in said(line.deliveries(other))
    page.goto(site["base"] + "/console/broadcasts")
    shot(page, "broadcasts")
    page.close()


def test_staff_label_a_message_the_bot_did_not_understand(browser, site, line) -> None:
    user = new_user(406)
    line.follow(user)
    line.text(user, "อยากเป็นวิทยากร")  # the bot wavers between the smart track and mentors: it asks back
    line.wait_quiet(user, quiet=0.3, timeout=15)
    page = login(browser, site)
    page.goto(site["base"] + "/console/review")
    rows = page.locator("tr", has_text="อยากเป็นวิทยากร")
    if rows.count() == 0:
        pytest.fail("the message is not on the review page: " + page.locator("main").inner_text()[:500])
    shot(page, "review")
    rows.first.locator("select[name=intent]").select_option("mentor")  # saved on change (htmx)
    page.wait_for_selector("tr[data-item] .tag.ok", timeout=15_000)
    page.reload()
    assert page.locator("tr", has_text="อยากเป็นวิทยากร").count() == 0
    page.close()


def test_staff_chat_with_the_bot_in_the_simulator(browser, site) -> None:
    page = login(browser, site)
    page.goto(site["base"] + "/console/simulator")
    page.wait_for_selector("#sim-compose input[name=text]:not([disabled])", timeout=90_000)
    page.fill("#sim-compose input[name=text]", "สวัสดีครับ อยากทราบโครงการสาย ก")
    page.click("#sim-compose button[type=submit]")
    page.wait_for_selector("#sim-log .sim-bot", timeout=90_000)  # the web process may still load the NLU
    shot(page, "simulator")
    assert "อุตสาหกรรมเกษตร" in page.locator("#sim-log").inner_text()
    page.close()


def test_the_console_works_on_a_phone(browser, site) -> None:
    page = login(browser, site, phone=True)
    assert page.locator(".menu-button").is_visible()
    page.click(".menu-button")
    assert page.locator("nav.nav").is_visible()
    shot(page, "dashboard-phone")
    page.close()
