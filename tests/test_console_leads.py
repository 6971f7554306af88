"""The console's Leads pages as staff use them: entrepreneurs register through the real chat,
then staff find them (filters, pages), open one, change its status with a note (a confirmed
participant counts on the dashboard and in domain.kpi exactly as the LINE command counts it),
decide mentor introductions, close a follow-up case, and export a CSV that Excel reads in Thai.
Center staff see their own center only; forms without the CSRF token change nothing."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

from bot.console import leads as leads_page
from bot.console.accounts import Audit
from bot.ids import user_key
from domain.form import FIELDS as FORM_FIELDS
from domain.kpi import compute
from tests.support import line
from tests.support.console import Console
from tests.support.harness import Bot, texts
from tests.support.redis_bot import RedisBot
from tests.support.walks import walk

STAFF = line.uid(0x5AFF)
FORM = ["{name}", "สมชาย ใจดี", "{province}", "{track}", "แปรรูปอาหาร", "3", "12", "3", "081 234 5678", "ไม่มี"]
TEXTILES = "creative-local-textiles"
CSV_WORDS = [("business_name", "ชื่อกิจการ"), ("contact_name", "ผู้ติดต่อ"), ("province", "จังหวัด"), ("track", "สาย"),
             ("sector", "ธุรกิจ"), ("stage", "ขั้นของธุรกิจ"), ("employees", "พนักงาน (คน)"),
             ("products", "ผลิตภัณฑ์ (รายการ)"), ("phone", "เบอร์โทร"), ("registration_no", "เลขทะเบียนนิติบุคคล")]  # fmt: skip


@pytest.fixture
def bot(classifier) -> Bot:
    bot = Bot(classifier, staff=STAFF)
    bot.client.application.extensions["dip"].dispatcher = bot.dispatcher  # embedded mode, as `make run`
    return bot


def register(bot: Bot, n: int, name: str, province: str = "ขอนแก่น", track: str = "ก", program: str | None = None,
             days_later: float = 0) -> tuple[str, str]:  # fmt: skip
    """An entrepreneur registers through the chat; returns their LINE ID and the lead ID the bot gave."""
    bot.clock.advance(days=days_later)
    user = line.uid(n)
    if program:
        assert "ขอความยินยอม" in texts(bot.send(line.event("postback", user, postback={"data": f"a=apply&p={program}"})))
    else:
        walk(bot, user, [("สมัคร", "ขอความยินยอม")])
    walk(bot, user, [("ยินยอม", "(1/10)")] + [(s.format(name=name, province=province, track=track), "") for s in FORM])
    done = texts(bot.say(user, "ยืนยัน"))
    lead_id = re.search(r"เลขที่ (R[0-9A-Z]+)", done)
    assert "ส่งใบสมัครแล้ว" in done and lead_id, done
    bot.sent()
    return user, lead_id.group(1)


def ids(html: str) -> list[str]:
    return re.findall(r'data-lead="(R[0-9A-Z]+)"', html)


def html(desk: Console, path: str, status: int = 200) -> str:
    resp = desk.get(path)
    assert resp.status_code == status, (path, resp.status_code)
    return str(resp.get_data(as_text=True))


def entrepreneurs(desk: Console) -> int:
    page = html(desk, "/console/?fy=2570")
    got = re.search(r'data-measure="entrepreneurs">.*?<span class="got">([\d,]+)</span>', page, re.S)
    assert got, page
    return int(got.group(1).replace(",", ""))


def confirmed_kpi(bot: Bot) -> tuple[int, int, int]:
    store = bot.store
    pairs = [(uh, x) for uh in store.index_members("dip:lead-index") for x in store.items("leads", uh)]
    cell = compute(pairs, [], 2570).confirmed.get("total")
    return cell.row() if cell else (0, 0, 0)


def lead_of(bot: Bot, user: str, lead_id: str) -> dict[str, Any]:
    return next(x for x in bot.store.items("leads", user_key(bot.settings.hash_key, user)) if x["id"] == lead_id)


def profile(bot: Bot, user: str) -> dict[str, Any]:
    found = bot.store.get("profile", user_key(bot.settings.hash_key, user))
    assert found is not None
    return found


def actions(bot: Bot, who: str = "somchai") -> list[tuple[str, str, str]]:
    return [(e["action"], e["target"], e["detail"]) for e in Audit(bot.store).entries(who=who)]


@pytest.fixture
def three(bot: Bot) -> dict[str, str]:
    """Khon Kaen agro (day 0), Chiang Mai creative for a program (day 3), Khon Kaen smart (day 10)."""
    _, a = register(bot, 0xA1, "โรงสีข้าวทองดี")
    _, b = register(bot, 0xB2, "ผ้าทอบ้านฝ้าย", "เชียงใหม่", "ส", program=TEXTILES, days_later=3)
    _, c = register(bot, 0xC3, "โรงงานอัจฉริยะขอนแก่น", track="อ", days_later=7)
    return {"agro": a, "creative": b, "smart": c}


def test_a_stranger_is_sent_to_the_login_and_json_callers_get_401(bot, three) -> None:
    for path in ("/console/leads", "/console/leads.csv", f"/console/leads/{three['agro']}"):
        resp = bot.client.get(path)
        assert resp.status_code == 302 and "/console/login" in resp.headers["Location"], path
        assert bot.client.get(path, headers={"Accept": "application/json"}).status_code == 401, path


def test_the_list_shows_every_registration_newest_first_and_each_filter_narrows_it(bot, three) -> None:
    desk = Console(bot)
    desk.login()
    a, b, c = three["agro"], three["creative"], three["smart"]
    page = html(desk, "/console/leads")
    assert ids(page) == [c, b, a] and "ผ้าทอบ้านฝ้าย" in page and "จากทั้งหมด 3 รายการ" in page
    assert ids(html(desk, "/console/leads?track=creative")) == [b]
    assert ids(html(desk, "/console/leads?center=ipc5")) == [c, a]
    assert ids(html(desk, f"/console/leads?program={TEXTILES}")) == [b]
    assert ids(html(desk, "/console/leads?program=-")) == [c, a]  # registered without a program
    assert ids(html(desk, "/console/leads?from=2026-11-26&to=2026-11-30")) == [b]
    assert ids(html(desk, "/console/leads?from=2026-12-01")) == [c]
    assert ids(html(desk, "/console/leads?status=submitted&center=ipc5&track=agro")) == [a]
    none = html(desk, "/console/leads?status=confirmed")
    assert ids(none) == [] and "ยังไม่มีผู้สมัครที่ตรงกับเงื่อนไขนี้" in none
    assert ("leads.viewed", "", "status=confirmed page=1") in actions(bot)


def test_pages_hold_the_set_number_of_rows_and_keep_the_filters(bot, three, monkeypatch) -> None:
    monkeypatch.setattr(leads_page, "PER_PAGE", 2)
    desk = Console(bot)
    desk.login()
    first = html(desk, "/console/leads")
    assert ids(first) == [three["smart"], three["creative"]] and "หน้า 1 จาก 2" in first
    assert ids(html(desk, "/console/leads?page=2")) == [three["agro"]]
    assert ids(html(desk, "/console/leads?page=99")) == [three["agro"]]  # past the end: the last page
    monkeypatch.setattr(leads_page, "PER_PAGE", 1)
    kk = html(desk, "/console/leads?center=ipc5")
    nxt = re.search(r'rel="next" href="([^"]+)"', kk)
    assert ids(kk) == [three["smart"]] and nxt
    assert ids(html(desk, nxt.group(1).replace("&amp;", "&"))) == [three["agro"]]  # still Khon Kaen only


def test_the_detail_page_shows_what_was_given_the_programs_that_fit_and_the_mentor_request(bot) -> None:
    user, lead_id = register(bot, 0xA1, "โรงสีข้าวทองดี")
    walk(bot, user, [("ขอพี่เลี้ยง", "พี่เลี้ยง")])
    desk = Console(bot)
    desk.login()
    page = html(desk, f"/console/leads/{lead_id}")
    for shown in ("โรงสีข้าวทองดี", "สมชาย ใจดี", "081-234-5678", "ขอนแก่น", "ก · อุตสาหกรรมเกษตร", "กำลังเติบโต",
                  "ยังไม่จดทะเบียน", "รอติดต่อ", "ipc5"):  # fmt: skip
        assert shown in page, shown
    assert user not in page  # the LINE user ID is never shown
    matches = page[page.index('id="matches"') :]
    assert "พัฒนาผลิตภัณฑ์แปรรูปเกษตรและอาหาร" in matches  # an open agro program
    mentors = page[page.index('id="mentors"') : page.index('id="matches"')]
    assert "รอพิจารณา" in mentors and "อนุมัติการจับคู่" in mentors and "ปฏิเสธ" in mentors
    assert ("lead.viewed", lead_id, "") in actions(bot)
    assert "โรงสีข้าวทองดี" in html(desk, f"/console/leads/{lead_id.lower()}")  # as staff may type it
    assert html(desk, "/console/leads/RNOSUCHLEAD000", 404)


def test_confirming_here_counts_on_the_dashboard_and_in_the_kpis_as_the_line_command_does(bot) -> None:
    here, here_id = register(bot, 0xA1, "โรงสีข้าวทองดี")
    there, there_id = register(bot, 0xB2, "ผ้าทอบ้านฝ้าย", "เชียงใหม่", "ส")
    desk = Console(bot)
    desk.login()
    assert entrepreneurs(desk) == 0 and confirmed_kpi(bot) == (0, 0, 0)
    resp = desk.post(f"/console/leads/{here_id}/status", {"status": "confirmed", "note": "โทรยืนยันกับคุณสมชายแล้ว"})
    assert resp.status_code == 302
    page = html(desk, resp.headers["Location"])
    assert "ยืนยันผู้เข้าร่วม" in page and "โทรยืนยันกับคุณสมชายแล้ว" in page and "โดย somchai" in page
    told = bot.sent()
    assert [to for _, to, _ in told] == [here] and "ยืนยันการเข้าร่วมโครงการ" in texts(told[0][2])
    assert entrepreneurs(desk) == 1 and confirmed_kpi(bot) == (1, 1, 3)
    assert ids(html(desk, "/console/leads?status=confirmed")) == [here_id]
    walk(bot, STAFF, [(f"ยืนยันผู้เข้าร่วม {there_id}", "นับในตัวชี้วัด")])  # the same, typed on LINE
    assert entrepreneurs(desk) == 2 and confirmed_kpi(bot) == (2, 2, 6)
    by_console, by_line = lead_of(bot, here, here_id), lead_of(bot, there, there_id)
    assert by_console["status"] == by_line["status"] == "confirmed"
    assert [h["status"] for h in by_console["history"]] == [h["status"] for h in by_line["history"]] == ["confirmed"]
    assert ("lead.status", here_id, "submitted->confirmed +note") in actions(bot)


def test_contacted_tells_the_applicant_and_a_note_alone_tells_nobody(bot) -> None:
    user, lead_id = register(bot, 0xA1, "โรงสีข้าวทองดี")
    desk = Console(bot)
    desk.login()
    desk.post(f"/console/leads/{lead_id}/status", {"status": "contacted"})
    assert "ติดต่อคุณแล้ว" in texts(bot.sent()[0][2]) and lead_of(bot, user, lead_id)["status"] == "contacted"
    page = html(desk, desk.post(f"/console/leads/{lead_id}/status", {"status": "contacted", "note": "นัดเข้าพบ 2 ธ.ค."})
                .headers["Location"])  # fmt: skip
    assert bot.sent() == [] and "นัดเข้าพบ 2 ธ.ค." in page and "บันทึกเพิ่มเติมเรียบร้อยแล้ว" in page
    assert [h["status"] for h in lead_of(bot, user, lead_id)["history"]] == ["contacted"]
    same = html(desk, desk.post(f"/console/leads/{lead_id}/status", {"status": "contacted"}).headers["Location"])
    assert "สถานะยังเหมือนเดิม" in same and bot.sent() == []
    assert desk.post(f"/console/leads/{lead_id}/status", {"status": "submitted"}).status_code == 400
    assert entrepreneurs(desk) == 0


def test_mentor_introductions_are_approved_or_declined_here_and_the_entrepreneur_is_told(bot) -> None:
    yes, yes_lead = register(bot, 0xA1, "โรงสีข้าวทองดี")
    no, no_lead = register(bot, 0xB2, "ข้าวแต๋นแม่บัว")
    for u in (yes, no):
        walk(bot, u, [("ขอพี่เลี้ยง", "พี่เลี้ยง")])
    bot.sent()
    requests = {u: profile(bot, u)["mentor_requests"][0] for u in (yes, no)}
    desk = Console(bot)
    desk.login()
    load = bot.store.counts("dip:mentor-load")
    assert desk.post(f"/console/leads/{yes_lead}/intros/{requests[yes]['id']}/approve").status_code == 302
    assert desk.post(f"/console/leads/{no_lead}/intros/{requests[no]['id']}/decline").status_code == 302
    told = {to: texts(msgs) for _, to, msgs in bot.sent()}
    assert "จับคู่พี่เลี้ยงให้แล้ว" in told[yes] and "ยังจับคู่พี่เลี้ยงให้ไม่ได้" in told[no]
    assert bot.store.get("intro", requests[yes]["id"])["status"] == "approved"
    assert bot.store.get("intro", requests[no]["id"])["status"] == "declined"
    assert sum(bot.store.counts("dip:mentor-load").values()) == sum(load.values()) - 1
    page = html(desk, f"/console/leads/{yes_lead}")
    assert "อนุมัติแล้ว" in page and "อนุมัติการจับคู่" not in page
    assert walk(bot, yes, [("สถานะของฉัน", "จับคู่พี่เลี้ยงแล้ว")]) is None  # the entrepreneur sees it too
    # another lead's page cannot decide this one's request
    assert desk.post(f"/console/leads/{no_lead}/intros/{requests[yes]['id']}/decline").status_code == 404
    assert ("intro.approve", requests[yes]["id"], f"lead={yes_lead}") in actions(bot)


def test_a_follow_up_case_the_applicant_opened_is_closed_from_the_lead(bot) -> None:
    user, lead_id = register(bot, 0xA1, "โรงสีข้าวทองดี")
    bot.clock.advance(days=10)
    asked = texts(bot.say(user, "สถานะของฉัน"))
    case = re.search(r"(C[0-9A-Z]{13})", asked)
    assert case, asked
    desk = Console(bot)
    desk.login()
    assert case.group(1) in html(desk, f"/console/leads/{lead_id}")
    page = html(desk, desk.post(f"/console/leads/{lead_id}/case").headers["Location"])
    assert bot.store.get("case", case.group(1)) is None and 'id="case"' not in page
    assert desk.post(f"/console/leads/{lead_id}/case").status_code == 404  # nothing left to close


def test_the_csv_holds_the_filtered_rows_with_thai_intact_for_excel(bot, three) -> None:
    desk = Console(bot)
    desk.login()
    resp = desk.get("/console/leads.csv?center=ipc5&track=agro")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    sent_as = resp.headers["Content-Disposition"]
    assert sent_as.startswith("attachment;") and sent_as.endswith('.csv"')
    assert resp.data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert [r["เลขที่ใบสมัคร"] for r in rows] == [three["agro"]]
    row = rows[0]
    shown = (row["ชื่อกิจการ"], row["ผู้ติดต่อ"], row["จังหวัด"], row["สถานะ"])
    assert shown == ("โรงสีข้าวทองดี", "สมชาย ใจดี", "ขอนแก่น", "รอติดต่อ")
    assert row["เบอร์โทร"] == "081-234-5678"  # text in Excel: the leading 0 stays
    assert list(rows[0])[5:] == [dict(CSV_WORDS)[f] for f in FORM_FIELDS]  # every field of the form, in its order
    everything = list(csv.reader(io.StringIO(desk.get("/console/leads.csv").data.decode("utf-8-sig"))))
    assert len(everything) == 1 + 3
    assert ("leads.exported", "", "center=ipc5 track=agro rows=1") in actions(bot)


def test_center_staff_see_their_center_only_and_another_centers_lead_is_not_found(bot, three) -> None:
    desk = Console(bot, "malee", "center", "5")  # ศภ.5 ขอนแก่น
    desk.login()
    mine = html(desk, "/console/leads")
    assert ids(mine) == [three["smart"], three["agro"]] and "ผ้าทอบ้านฝ้าย" not in mine
    assert ids(html(desk, "/console/leads?center=ipc1")) == [three["smart"], three["agro"]]  # asking for another: no
    html(desk, f"/console/leads/{three['creative']}", 404)
    other = desk.post(f"/console/leads/{three['creative']}/status", {"status": "confirmed"})
    assert other.status_code == 404 and bot.sent() == []
    rows = list(csv.reader(io.StringIO(desk.get("/console/leads.csv?center=ipc1").data.decode("utf-8-sig"))))
    assert sorted(r[0] for r in rows[1:]) == sorted([three["smart"], three["agro"]])
    admin = Console(bot)
    admin.login()
    assert three["creative"] in ids(html(admin, "/console/leads"))


def test_a_change_without_the_csrf_token_is_refused_and_changes_nothing(bot) -> None:
    user, lead_id = register(bot, 0xA1, "โรงสีข้าวทองดี")
    walk(bot, user, [("ขอพี่เลี้ยง", "พี่เลี้ยง")])
    bot.sent()
    Console(bot).login()
    assert bot.client.post(f"/console/leads/{lead_id}/status", data={"status": "confirmed"}).status_code == 400
    forged = {"status": "confirmed", "csrf_token": "forged"}
    assert bot.client.post(f"/console/leads/{lead_id}/status", data=forged).status_code == 400
    intro = profile(bot, user)["mentor_requests"][0]["id"]
    assert bot.client.post(f"/console/leads/{lead_id}/intros/{intro}/approve").status_code == 400
    assert lead_of(bot, user, lead_id)["status"] == "submitted" and bot.store.get("intro", intro)["status"] == "pending"
    assert bot.sent() == []


@pytest.mark.redis
def test_on_redis_with_no_worker_in_the_web_process_the_pages_and_a_confirmation_work(
    classifier, redis_url, redis_client, capsys
) -> None:
    bot = RedisBot(classifier, redis_url, staff=STAFF)  # as production: the web process has no dispatcher
    assert bot.client.application.extensions["dip"].dispatcher is None
    user, lead_id = register(bot, 0xA1, "โรงสีข้าวทองดี")
    _, other = register(bot, 0xB2, "ผ้าทอบ้านฝ้าย", "เชียงใหม่", "ส", days_later=1)
    desk = Console(bot)
    desk.login()
    assert ids(html(desk, "/console/leads")) == [other, lead_id]
    assert ids(html(desk, "/console/leads?track=agro")) == [lead_id]
    capsys.readouterr()
    assert desk.post(f"/console/leads/{lead_id}/status", {"status": "confirmed"}).status_code == 302
    pushed = capsys.readouterr().out  # local settings: the console messenger prints what LINE would get
    assert "/v2/bot/message/push" in pushed and "ยืนยันการเข้าร่วมโครงการ" in pushed
    assert lead_of(bot, user, lead_id)["status"] == "confirmed"
    assert entrepreneurs(desk) == 1 and confirmed_kpi(bot) == (1, 1, 3)
    rows = list(csv.reader(io.StringIO(desk.get("/console/leads.csv?status=confirmed").data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [lead_id] and rows[1][5] == "โรงสีข้าวทองดี"
