"""Program details and the FAQ, as a user meets them: after a program is named, each of the five
follow-ups (documents, cost, eligibility, deadline, how to apply) is answered about that program
from config/programs.yml, worded by how sure the data is; without a topic the bot asks which
program; nothing in the data says a figure the shared facts do not."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.ids import user_key
from domain.catalog import Catalog
from domain.knowledge import ASPECTS
from tests.support import line
from tests.support.harness import Bot, texts

CAT = Catalog()
ROOT = Path(__file__).resolve().parents[1]
FACTS = ROOT.parent / "shared" / "facts" / "DIPROM.md"
ASK = {
    "documents": "ต้องใช้เอกสารอะไรบ้างคะ",
    "cost": "มีค่าใช้จ่ายไหมครับ",
    "eligibility": "ใครสมัครได้บ้าง",
    "deadline": "ปิดรับเมื่อไหร่",
    "apply": "สมัครยังไงคะ",
}
CAUTION = {"typical": "ยังไม่ยืนยันสำหรับโครงการนี้", "unknown": "สอบถามได้ที่", "confirmed": "ข้อมูลสาธารณะ ณ 29 พ.ย. 2569"}


def _start(bot: Bot, user: str, p: object) -> str:
    """Name the program the way a user would; for พี่ช่วยน้อง (answered by the mentor intent) tap
    the card's details button instead."""
    if getattr(p, "named_intent", None):
        return texts(bot.send(line.event("postback", user, postback={"data": f"a=detail&p={p.id}"})))
    return texts(bot.say(user, f"{p.name_th} คืออะไรคะ"))


@pytest.mark.parametrize("p", CAT.programs, ids=[p.id for p in CAT.programs])
def test_the_five_follow_ups_after_a_named_program_are_about_it(classifier, p) -> None:
    bot = Bot(classifier)
    user = line.uid(abs(hash(p.id)) % 10**6)
    assert p.name_th in _start(bot, user, p)
    for aspect, question in ASK.items():
        seen = texts(bot.say(user, question))
        detail = p.details.get(aspect)
        assert p.name_th in seen, (aspect, seen)
        assert detail.th[:40] in seen, (aspect, seen)
        assert CAUTION[detail.status] in seen, (aspect, detail.status, seen)


@pytest.mark.parametrize("track,letter", [("agro", "ก"), ("creative", "ส"), ("smart", "อ")])
def test_after_a_track_card_and_a_pick_the_follow_ups_are_about_that_program(classifier, track, letter) -> None:
    bot = Bot(classifier)
    user = line.uid(0x7000 + ord(letter))
    bot.say(user, letter)
    second = CAT.open_programs(track, bot.clock.now().date())[1]
    assert second.name_th in texts(bot.say(user, "อันที่สอง"))
    for aspect in ("documents", "cost", "apply"):
        seen = texts(bot.say(user, ASK[aspect]))
        assert second.details.get(aspect).th[:40] in seen, (aspect, seen)


@pytest.mark.parametrize("aspect", ["documents", "cost", "deadline", "eligibility"])
def test_a_follow_up_with_no_topic_asks_which_program(classifier, aspect) -> None:
    bot = Bot(classifier)
    seen = texts(bot.say(line.uid(0x7100 + len(aspect)), ASK[aspect]))
    assert "โครงการไหน" in seen or "นิติบุคคล" in seen, seen


def test_how_to_apply_with_no_topic_gives_the_steps_and_asks_for_a_track(classifier) -> None:
    """ "สมัครยังไง" alone is the register intent: the general steps, starting with "pick a program"."""
    seen = texts(Bot(classifier).say(line.uid(0x7110), ASK["apply"]))
    assert "เลือกโครงการที่สนใจ" in seen and "ก, ส หรือ อ" in seen, seen


def test_a_named_fund_with_a_detail_word_gets_the_detail_even_when_funding_is_sure(classifier) -> None:
    bot = Bot(classifier)
    seen = texts(bot.say(line.uid(0x7201), "กู้ดีพร้อมเปย์ได้เท่าไหร่ครับ"))
    assert ("500,000" in seen and "อุทกภัย" in seen) or "น้ำท่วม" in seen, seen
    assert "credit.dip.go.th" in seen
    seen = texts(bot.say(line.uid(0x7202), "คพอ. ใช้เวลากี่วัน"))
    assert "คพอ." in seen and "ระยะเวลา" in seen, seen


def test_the_card_buttons_answer_in_the_chat_and_register_for_that_program(classifier) -> None:
    bot = Bot(classifier)
    user = line.uid(0x7301)
    p = CAT.program("cross-thai-sme-fund")
    card = bot.say(user, "ก")
    buttons = [b["action"] for m in card if m["type"] == "flex" for b in _buttons(m["contents"])]
    assert buttons and all(b["type"] == "postback" for b in buttons), buttons
    seen = texts(bot.send(line.event("postback", user, postback={"data": f"a=detail&p={p.id}"})))
    assert p.details.eligibility.th[:40] in seen and "i.industry.go.th" in seen, seen
    seen = texts(bot.send(line.event("postback", user, postback={"data": f"a=apply&p={p.id}"})))
    assert "ยินยอม" in seen  # consent first, then the form for that program
    for says in ["ยินยอม", "ร้านดีพร้อม", "สมหญิง ใจงาม", "ขอนแก่น", "ก", "แปรรูปอาหาร", "3", "12", "3", "081 234 5678"]:
        seen = texts(bot.say(user, says))
    seen = texts(bot.say(user, "ไม่มี"))
    assert p.name_th in seen, seen  # the summary names the program
    bot.say(user, "ยืนยัน")
    leads = bot.store.items("leads", user_key(bot.settings.hash_key, user))
    assert [x.get("program") for x in leads] == [p.id], leads


def _buttons(node: object) -> list[dict]:
    if isinstance(node, dict):
        found = [node] if node.get("type") == "button" else []
        return found + [b for v in node.values() for b in _buttons(v)]
    if isinstance(node, list):
        return [b for v in node for b in _buttons(v)]
    return []


# -- the data ------------------------------------------------------------------------------------


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}


def allowed_numbers() -> set[str]:
    """Figures the shared facts give (years also in the Buddhist era), the names' own numbers
    (ITC 4.0, centers 1-11), and the facts' checking date."""
    facts = _numbers(FACTS.read_text(encoding="utf-8"))
    years = {str(int(n) + 543) for n in facts if n.isdigit() and 1900 < int(n) < 2100}
    names = {str(n) for n in range(1, 12)} | {"4.0", "2569", "29"}
    return facts | years | names


def test_no_detail_or_faq_answer_says_a_figure_the_facts_do_not() -> None:
    ok = allowed_numbers()
    found = []
    for p in CAT.programs:
        for a in ASPECTS:
            d = p.details.get(a)
            found += [(p.id, a, n) for n in _numbers(d.th + " " + d.en) - ok]
    for e in CAT.faq.entries:
        found += [(e.id, "answer", n) for n in _numbers(e.answer_th + " " + e.answer_en) - ok]
    assert not found, found


def test_every_program_and_faq_entry_has_a_source_and_unverified_ones_are_marked() -> None:
    raw = yaml.safe_load((ROOT / "config" / "programs.yml").read_text(encoding="utf-8"))["programs"]
    for p in raw:
        assert p.get("source") and "verified_at" in p, p["id"]
    for e in CAT.faq.entries:
        assert e.source and e.status in ("confirmed", "typical", "unknown"), e.id
    for p in CAT.programs:
        for a in ASPECTS:
            d = p.details.get(a)
            if d.status == "typical":
                assert d.th.startswith("โดยทั่วไป"), (p.id, a)


def test_the_topic_list_matches_the_faq() -> None:
    table = (ROOT / "docs" / "faq-topics.md").read_text(encoding="utf-8")
    rows = [r for r in re.findall(r"^\| ([a-z0-9-]+) \| (.+?) \|$", table, re.M) if r[0] != "id"]
    assert [(e.id, e.topic) for e in CAT.faq.entries] == rows
    assert len(rows) >= 40


NAMES = {
    "cross-kpor-nec": ["คพอ.", "คพอ", "NEC", "New Entrepreneurs Creation"],
    "cross-itc40": ["ITC 4.0", "itc4.0", "Mini ITC", "มินิ ไอทีซี", "ไอทีซี"],
    "cross-diprom-pay": ["DIPROM Pay", "diprompay", "ดีพร้อมเปย์", "ดีพร้อมเพย์", "ดีพร้อมเพ", "ดีพร้อม pay"],
    "cross-thai-sme-fund": ["Thai SME Fund", "กองทุนพัฒนาเอสเอ็มอี", "กองทุนพัฒนา SME", "กองทุน sme ประชารัฐ"],
    "smart-karakuri-kaizen": ["Karakuri Kaizen", "คาราคูริ", "คาราคุริ", "คาระคูริ ไคเซ็น"],
    "creative-diprom-community": ["DIPROM Community", "ชุมชนดีพร้อม", "หมู่บ้าน CIV"],
    "cross-big-brother": ["Big Brother", "พี่ช่วยน้อง", "bigbrother", "บิ๊กบราเธอร์"],
    "smart-i40-index": ["Thailand i4.0 Index", "Industry 4.0 index", "ดัชนีอุตสาหกรรม 4.0", "ประเมิน 4.0"],
    "cross-diprom-connection": ["DIPROM Connection", "ดีพร้อมคอนเนคชั่น"],
}


@pytest.mark.parametrize("program,name", [(p, n) for p, names in NAMES.items() for n in names])
def test_named_programs_funds_and_services_are_found_by_name_alias_and_misspelling(program, name) -> None:
    found = CAT.named(f"{name} คืออะไรคะ")
    assert found is not None and found.id == program, (name, found and found.id)
