"""Conversations as data: (the user says, what the bot's answer must contain)."""

from __future__ import annotations

import pytest

from tests.support.harness import Bot, quick_labels, texts

# One message per intent, typed as entrepreneurs type, and a phrase of the fitting answer.
EVERY_INTENT = [
    ("greeting", "สวัสดีครับ", "ยินดีให้บริการ"),
    ("program_agro", "ทำโรงสีข้าวเล็กๆ อยากพัฒนาต่อครับ", "สาย ก เกษตรอุตสาหกรรม"),
    ("program_creative", "ทำผ้าทอมือ อยากได้โครงการพัฒนาลาย", "สาย ส สร้างสรรค์"),
    ("program_smart", "อยากเอาระบบ ERP มาใช้ในโรงงานค่ะ", "สาย อ อัจฉริยะ"),
    ("mentor", "อยากได้พี่เลี้ยงช่วยแนะนำธุรกิจครับ", "พี่ช่วยน้อง"),
    ("register", "สมัครเข้าร่วมโครงการยังไงคะ", "วิธีสมัคร"),
    ("funding", "อยากกู้เงินมาขยายกิจการ", "แหล่งเงินทุน"),
    ("contact", "ขอเบอร์โทรศูนย์หน่อยครับ", "อยู่จังหวัดไหน"),
    ("help", "บอทนี้ทำอะไรได้บ้าง", "บริการของบอท"),
    ("human", "ขอคุยกับเจ้าหน้าที่ได้ไหมครับ", "รับเรื่องแล้ว"),
    ("unsubscribe", "ไม่อยากได้ข่าวสารแล้ว เลิกส่งได้ไหม", "หยุดส่งข่าวสาร"),
    ("privacy", "เก็บข้อมูลส่วนตัวอะไรของผมไปบ้าง", "ข้อมูลส่วนบุคคล"),
    ("thanks", "ขอบคุณมากครับ", "ยินดีให้บริการ"),
    ("out_of_scope", "หวยงวดนี้ออกอะไร", "นอกขอบเขต"),
]


@pytest.mark.parametrize(("intent", "says", "answer"), EVERY_INTENT, ids=[i for i, _, _ in EVERY_INTENT])
def test_every_intent_gets_a_fitting_thai_answer(bot: Bot, user: str, intent: str, says: str, answer: str) -> None:
    reply = bot.say(user, says)
    assert answer in texts(reply)
    assert all(m["type"] in ("text", "flex") for m in reply)


CHATS = {
    "a rice-mill owner from Khon Kaen finds agro programs and the center": [
        ("สวัสดีค่ะ", "ยินดีให้บริการ"),
        ("ทำโรงสีข้าวอยู่ขอนแก่น อยากพัฒนาต่อ", "ศภ.5 ขอนแก่น"),
        ("ขอกู้เงินขยายโรงสี", "ดีพร้อมเปย์"),
        ("ขอบคุณค่ะ", "ยินดีให้บริการ"),
    ],
    "typed answers work where quick replies do not show (LINE for PC)": [
        ("เมนู", "1) โครงการสาย ก"),
        ("3", "สาย อ อัจฉริยะ"),
        ("ติดต่อศูนย์", "อยู่จังหวัดไหน"),
        ("โคราช", "นครราชสีมา"),
    ],
    "exact rules for the track letters": [
        ("ก", "สาย ก เกษตรอุตสาหกรรม"),
        ("ส", "สาย ส สร้างสรรค์"),
        ("อ", "สาย อ อัจฉริยะ"),
    ],
    "unsubscribe and resubscribe": [
        ("ยกเลิกรับข่าวสาร", "หยุดส่งข่าวสาร"),
        ("รับข่าวสาร", "เปิดรับข่าวสาร"),
    ],
    "a would-be mentor volunteers after consent": [
        ("อยากเป็นพี่เลี้ยง", "ขอความยินยอม"),
        ("ยินยอม", "ขอบคุณที่อยากเป็นพี่เลี้ยง"),
    ],
    "my status before any application": [("สถานะของฉัน", "ยังไม่พบใบสมัคร")],
    "privacy: see and delete": [
        ("ข้อมูลของฉัน", "ข้อมูลที่บอทเก็บ"),
        ("ลบข้อมูล", "ยืนยันลบข้อมูล"),
        ("ยืนยันลบข้อมูล", "ลบข้อมูลของคุณเรียบร้อยแล้ว"),
    ],
    "cancel a pending question": [
        ("ลบข้อมูล", "ยืนยันลบข้อมูล"),
        ("ยกเลิก", "ยกเลิกแล้ว"),
        ("ยกเลิก", "ไม่มีรายการที่ต้องยกเลิก"),
    ],
    "an English speaker is answered in English": [
        ("Hello", "welcome"),
        ("We make dried mango snacks, which food processing programs can help us?", "agro-industry"),
        ("I need a business loan to expand my factory", "Funding"),
        ("thank you", "You're welcome"),
    ],
}


@pytest.mark.parametrize("name", list(CHATS))
def test_conversation(bot: Bot, user: str, name: str) -> None:
    for says, expected in CHATS[name]:
        answer = texts(bot.say(user, says))
        assert expected in answer, f"after {says!r} the bot said:\n{answer}"


def test_every_answer_offers_a_way_forward(bot: Bot, user: str) -> None:
    for _, says, _ in EVERY_INTENT:
        if says.startswith("ขอคุยกับเจ้าหน้าที่"):
            continue
        assert quick_labels(bot.say(user, says)), f"no quick replies after {says!r}"


def test_closed_program_windows_are_never_offered(bot: Bot, user: str) -> None:
    shown = texts(bot.say(user, "ก"))
    closed = [
        p for p in bot.dispatcher.d.catalog.programs if p.window.closes and p.window.closes < bot.clock.now().date()
    ]
    assert closed, "the catalog should hold a closed program to prove this"
    for p in closed:
        assert p.name_th not in shown
