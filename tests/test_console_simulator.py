"""The console's simulator: staff chat with the real bot (router, NLU, handlers) as a sandbox user
of their own, which reaches no lead, KPI, segment, case, staff alert or LINE message."""

from __future__ import annotations

import threading
from html import unescape
from html.parser import HTMLParser
from typing import Any

import pytest

from bot import dispatcher as dispatcher_module
from bot.app import build_dispatcher
from bot.console import simulator
from bot.console.accounts import Audit
from bot.ids import user_key
from bot.messenger import CollectingMessenger
from bot.store.base import KEYS, SEGMENT_ALL, segment_of
from domain.kpi import compute, fiscal_year
from tests.support import line
from tests.support.console import Console
from tests.support.harness import NOW, Bot
from tests.support.walks import FINISH, REGISTER_A_LITTLE

PAGE, SEND, RESET = "/console/simulator", "/console/simulator/send", "/console/simulator/reset"
HX = {"HX-Request": "true"}
STAFF = line.uid(0x5AFF)


class Buttons(HTMLParser):
    """Every form of a page or fragment: its action, hidden fields, and its button's label and class."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._in_button = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action"), "fields": {}, "label": "", "cls": ""}
        elif self._form is not None and tag == "input" and a.get("type") == "hidden":
            self._form["fields"][a["name"]] = a.get("value") or ""
        elif self._form is not None and tag == "button":
            self._form["cls"], self._in_button = a.get("class") or "", True

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._in_button:
            self._form["label"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button":
            self._in_button = False
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def find(self, cls: str, label: str) -> dict[str, Any]:
        found = [f for f in self.forms if cls in f["cls"].split() and f["label"].strip() == label]
        assert found, f"no {cls} button {label!r} among {[f['label'] for f in self.forms]}"
        return found[0]


class Desk(Console):
    """A console account at the simulator, with a browser (test client) of its own."""

    def __init__(self, bot: Bot, name: str = "somchai", role: str = "admin", center: str | None = None) -> None:
        super().__init__(bot, name, role, center)
        self.client = bot.client.application.test_client()
        assert self.login().status_code == 302
        self.csrf = self.token(PAGE)

    def say(self, text: str) -> str:
        return self.send({"kind": "text", "text": text})

    def send(self, fields: dict[str, str]) -> str:
        resp = self.client.post(SEND, data={"csrf_token": self.csrf, **fields}, headers=HX)
        assert resp.status_code == 200, resp.status_code
        return resp.get_data(as_text=True)

    def tap(self, form: dict[str, Any]) -> str:
        """What a click does: the button's form posted as it is, its own CSRF token included."""
        resp = self.client.post(form["action"], data=form["fields"], headers=HX)
        assert resp.status_code == 200, resp.status_code
        return resp.get_data(as_text=True)

    @property
    def uh(self) -> str:
        return user_key(self.bot.settings.hash_key, f"sim:{self.name}")


def quick(html: str) -> Buttons:
    return Buttons(html.split('id="sim-quick"', 1)[1])


def embedded(bot: Bot) -> Bot:
    """As `make run` is: the web process holds the worker's dispatcher (the harness's)."""
    bot.client.application.extensions["dip"].dispatcher = bot.dispatcher
    return bot


@pytest.fixture
def bot(classifier) -> Bot:
    return embedded(Bot(classifier, staff=STAFF))


def kpis(store: Any) -> dict[str, tuple[int, int, int]]:
    leads = [(uh, lead) for uh in store.index_members("dip:lead-index") for lead in store.items("leads", uh)]
    fy = fiscal_year(NOW)  # the harness's frozen clock: the year a lead of the test would count in
    return {k: c.row() for k, c in compute(leads, store.items("groups", str(fy)), fy).leads.items()}


def register(desk: Desk) -> str:
    """The whole form, as the privacy tests walk it, the last step a tap on the summary card."""
    for says, expected in (REGISTER_A_LITTLE + FINISH)[:-1]:
        answer = unescape(desk.say(says))
        assert expected in answer, f"after {says!r}:\n{answer}"
    return unescape(desk.tap(Buttons(answer).find("fx-btn", "ยืนยัน")))


def test_a_greeting_gets_the_bots_thai_answer_as_bubbles_and_is_audited_without_its_text(bot) -> None:
    desk = Desk(bot)
    html = unescape(desk.say("สวัสดีค่ะ"))
    assert '<div class="sim-row sim-user"><p class="sim-b">สวัสดีค่ะ</p></div>' in html
    assert '<div class="sim-row sim-bot"><p class="sim-b">สวัสดีครับ ยินดีให้บริการจากกรมส่งเสริมอุตสาหกรรม' in html
    page = unescape(desk.get(PAGE).get_data(as_text=True))  # the conversation is there after a reload
    assert "สวัสดีค่ะ" in page and "สวัสดีครับ ยินดีให้บริการ" in page and 'href="/console/static/simulator.css"' in page
    plain = desk.client.post(SEND, data={"csrf_token": desk.csrf, "kind": "text", "text": "ขอบคุณ"})  # without JS
    assert plain.status_code == 302 and plain.headers["Location"].endswith(PAGE)
    rows = [r for r in Audit(bot.store).entries(who="somchai") if r["action"] == "simulator.sent"]
    assert [(r["target"], r["detail"]) for r in rows] == [("sim:somchai", "text")] * 2
    assert "สวัสดี" not in repr(Audit(bot.store).entries()) and "ขอบคุณ" not in repr(Audit(bot.store).entries())
    assert bot.sent() == []  # nothing went to LINE


def test_a_quick_reply_is_drawn_and_tapping_it_continues_the_conversation(bot) -> None:
    desk = Desk(bot)
    chip = quick(desk.say("สวัสดี")).find("sim-chip", "ก เกษตรอุตสาหกรรม")
    assert chip["fields"]["kind"] == "text" and chip["fields"]["text"] == "ก เกษตรอุตสาหกรรม"
    answer = unescape(desk.tap(chip))
    assert '<p class="sim-b">ก เกษตรอุตสาหกรรม</p>' in answer  # the tap shows as the user's message
    assert "โครงการสาย ก เกษตรอุตสาหกรรม" in answer and 'class="fx-card"' in answer
    page = unescape(desk.get(PAGE).get_data(as_text=True))  # the greeting's chips gave way to the new answer's
    assert "ก เกษตรอุตสาหกรรม</button>" not in page.split('id="sim-quick"', 1)[1]


def test_a_flex_card_is_drawn_with_its_title_and_buttons_that_send_their_postback(bot) -> None:
    desk = Desk(bot)
    first = unescape(desk.say("ก")).split('<article class="fx-card">', 2)[1]
    apply = Buttons(first).find("fx-btn", "สนใจสมัคร")
    assert apply["fields"]["kind"] == "postback" and apply["fields"]["data"].startswith("a=apply&p=")
    program = bot.dispatcher.d.catalog.by_id[apply["fields"]["data"].split("p=", 1)[1]]
    head = first.split('<header class="fx-head">', 1)[1].split("</header>", 1)[0]
    assert "ก เกษตรอุตสาหกรรม" in head and f">{program.name_th}</p>" in head  # the card's title
    assert program.summary_th in first.split('<div class="fx-body">', 1)[1]  # its body texts
    assert Buttons(first).find("fx-btn", "ดูรายละเอียด")["fields"]["data"] == f"a=detail&p={program.id}"
    answer = unescape(desk.tap(apply))
    assert f'<p class="sim-b">{apply["fields"]["display"]}</p>' in answer  # its displayText, as LINE shows it
    assert "ขอความยินยอม" in answer  # the postback started the registration


def test_a_whole_registration_and_a_handoff_reach_no_lead_kpi_segment_case_alert_or_push(bot, monkeypatch) -> None:
    made: list[CollectingMessenger] = []

    class Recording(CollectingMessenger):
        def __init__(self) -> None:
            super().__init__()
            made.append(self)

    monkeypatch.setattr(simulator, "CollectingMessenger", Recording)
    before = kpis(bot.store)
    desk = Desk(bot)
    assert "ส่งใบสมัครแล้ว" in register(desk)  # the confirmation is shown, with its ID
    assert "รับเรื่องแล้ว" in unescape(desk.say("ขอคุยกับเจ้าหน้าที่"))
    store = bot.store
    assert store.items("leads", desk.uh) == [] and store.index_members("dip:lead-index") == []
    assert kpis(store) == before
    assert store.smembers(SEGMENT_ALL) == set() and store.smembers(segment_of(desk.uh)) == set()
    case = (store.get("state", desk.uh) or {})["handoff"]["case"]
    assert store.get("case", case) is None  # not in the staff's handoff inbox
    assert store.reviews() == []
    assert {(api, to) for m in made for api, to, _ in m.sent} == {("reply", "sim:somchai")}  # no staff alert
    assert bot.sent() == []  # and nothing for LINE
    assert store.get("profile", desk.uh)["province"] == "ขอนแก่น"  # the sandbox's own form data, for "my status"


def test_even_when_the_segment_rule_admits_a_user_the_sandbox_is_indexed_nowhere(bot, monkeypatch) -> None:
    monkeypatch.setattr(dispatcher_module, "changed_keys", lambda *a, **kw: {SEGMENT_ALL})
    real = line.uid(0x1E7)
    bot.say(real, "สวัสดี")
    assert bot.store.smembers(SEGMENT_ALL) == {user_key(bot.settings.hash_key, real)}  # the rule is live
    desk = Desk(bot)
    desk.say("สวัสดี")
    desk.say("รับข่าวสาร")
    assert desk.uh not in bot.store.smembers(SEGMENT_ALL) and bot.store.smembers(segment_of(desk.uh)) == set()


def test_reset_clears_the_sandbox_users_state_and_its_chat(bot) -> None:
    desk = Desk(bot)
    for says, expected in REGISTER_A_LITTLE[:3]:
        assert expected in unescape(desk.say(says))
    snap = bot.store.snapshot(desk.uh)
    assert snap["state"]["form"] and snap["consent"] and snap["draft"]  # consent given, the form half way
    resp = desk.client.post(RESET, data={"csrf_token": desk.csrf})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(PAGE)
    assert not any(bot.store.snapshot(desk.uh).values())  # no user, state, consent, draft or profile
    page = unescape(desk.get(PAGE).get_data(as_text=True))
    assert "ล้างข้อมูลบัญชีทดลองเรียบร้อยแล้ว" in page and "โรงสีข้าวทองดี" not in page
    assert bot.store.items("simlog", desk.uh) == []
    assert "ขอความยินยอม" in unescape(desk.say("สมัคร"))  # a newcomer again: consent is asked afresh
    assert any(r["action"] == "simulator.reset" for r in Audit(bot.store).entries(who="somchai"))
    assert desk.client.post(RESET, data={}).status_code == 400  # the reset needs the CSRF token too


def test_two_accounts_have_separate_sandboxes(bot) -> None:
    somchai, malee = Desk(bot), Desk(bot, "malee", "center", "5")
    assert "ขอความยินยอม" in unescape(somchai.say("สมัคร"))
    assert "(1/10)" in unescape(somchai.say("ยินยอม"))
    answer = unescape(malee.say("ยินยอม"))  # malee was asked nothing
    assert "(1/10)" not in answer
    assert somchai.uh != malee.uh and bot.store.get("state", somchai.uh)["form"]
    assert not (bot.store.get("state", malee.uh) or {}).get("form")
    mine, theirs = (unescape(d.get(PAGE).get_data(as_text=True)) for d in (malee, somchai))
    assert '<p class="sim-b">สมัคร</p>' in theirs and '<p class="sim-b">สมัคร</p>' not in mine
    assert "<code>sim:malee</code>" in mine and "<code>sim:somchai</code>" in theirs


def test_without_the_csrf_token_nothing_is_sent(bot) -> None:
    desk = Desk(bot)
    for data in ({"kind": "text", "text": "สวัสดี"}, {"kind": "text", "text": "สวัสดี", "csrf_token": "forged"}):
        assert desk.client.post(SEND, data=data, headers=HX).status_code == 400
    assert bot.store.items("simlog", desk.uh) == [] and bot.store.get("user", desk.uh) is None
    blank = {"csrf_token": desk.csrf, "kind": "text", "text": "  "}
    assert desk.client.post(SEND, data=blank, headers=HX).status_code == 400


def test_without_a_session_the_simulator_sends_to_the_login(bot) -> None:
    resp = bot.client.get(PAGE)
    assert resp.status_code == 302 and "/console/login" in resp.headers["Location"]
    assert bot.client.get(PAGE, headers={"Accept": "application/json"}).status_code == 401
    token = Buttons(bot.client.get("/console/login").get_data(as_text=True)).forms[-1]["fields"]["csrf_token"]
    data = {"csrf_token": token, "kind": "text", "text": "สวัสดี"}
    assert bot.client.post(SEND, data=data, headers=HX).status_code == 401
    sent = bot.client.post(SEND, data=data)
    assert sent.status_code == 302 and "/console/login" in sent.headers["Location"]
    assert bot.store.items("simlog", user_key(bot.settings.hash_key, "sim:somchai")) == []


def test_in_redis_mode_the_web_process_builds_a_dispatcher_and_says_so_while_it_loads(classifier, monkeypatch) -> None:
    bot = Bot(classifier)  # as the web process in Redis mode: no dispatcher in it
    ext = bot.client.application.extensions["dip"]
    assert ext.dispatcher is None
    gate, built = threading.Event(), []

    def slow(settings: Any, store: Any, messenger: Any) -> Any:
        gate.wait(30)  # the classifier loading
        built.append(build_dispatcher(settings, store, messenger, bot.clock, classifier))
        return built[-1]

    monkeypatch.setattr(simulator, "build_dispatcher", slow)
    desk = Desk(bot)
    page = desk.get(PAGE).get_data(as_text=True)
    assert 'id="sim-loading"' in page and "กำลังเตรียมบอท" in page and 'http-equiv="refresh"' in page
    monkeypatch.setattr(simulator, "SEND_WAIT_S", 0.2)
    waiting = desk.client.post(SEND, data={"csrf_token": desk.csrf, "kind": "text", "text": "สวัสดี"}, headers=HX)
    assert waiting.status_code == 503 and "กำลังเตรียมบอท" in waiting.get_data(as_text=True)
    # A send that reaches a web process still loading waits for it (gunicorn runs several).
    monkeypatch.setattr(simulator, "SEND_WAIT_S", 30)
    threading.Timer(0.5, gate.set).start()
    assert "สวัสดีครับ" in unescape(desk.say("สวัสดี"))
    assert 'id="sim-loading"' not in desk.get(PAGE).get_data(as_text=True)
    assert len(built) == 1 and ext.dispatcher is None  # built once, for the simulator only


def test_on_redis_the_simulator_writes_only_inventoried_keys_and_reset_leaves_none(classifier, redis_url, redis_client):
    from tests.support.redis_bot import RedisBot
    from tests.test_key_inventory import PATTERNS

    bot = embedded(RedisBot(classifier, redis_url, staff=STAFF))
    desk = Desk(bot)
    assert "ส่งใบสมัครแล้ว" in register(desk)
    keys = [k.decode() for k in redis_client.scan_iter(count=500)]
    assert [k for k in keys if not any(p.match(k) for p, _ in PATTERNS)] == []
    assert not [k for k in keys if k.startswith(("dip:lead", "dip:{seg}", "dip:case:", "dip:review", "dip:bcreg"))]
    assert 0 < redis_client.ttl(f"dip:simlog:{desk.uh}") <= next(k.ttl for k in KEYS if k.kind == "simlog")
    desk.client.post(RESET, data={"csrf_token": desk.csrf})
    assert [k.decode() for k in redis_client.scan_iter(match=f"*{desk.uh}*")] == []
