"""Small cues in a message that the intent alone does not carry: is it a question, which detail
of a program it asks about, which card of a list it points at, which privacy action it wants,
whether it stops or restarts announcements. Rules over the cleaned text, Thai and English.
"""

from __future__ import annotations

import re

from nlp.normalize import normalize, strip_tones

_P = r"(?:ครับ|คับ|ค่ะ|คะ|ค่า|จ้า|จ้ะ|นะ|ฮะ|เหรอ|หรอ|ละ|ล่ะ|\s)*"
QUESTION_END = re.compile(rf"(?<!ผ้า)(?:ไหม|มั้ย|มัย|มั๊ย|หรือเปล่า|รึเปล่า|หรือยัง|หรือไม่|ป่าว){_P}\s*$")
QUESTION_WORD = re.compile(
    r"อะไร|ยังไง|ยังงัย|อย่างไร|เท่าไหร่|เท่าไร|ที่ไหน|ตรงไหน|เมื่อไหร่|เมื่อไร|ทำไม|กี่(?:วัน|บาท|คน|โมง|ปี|เดือน|ชั่วโมง|%)"
    r"|บ้าง(?=" + _P + r"$)|\?|^(?:how|what|why|when|where|which|who|can i|do i|does|is there|are there)\b"
)
# The detail of a program a follow-up asks about, in the order they are tried.
ASPECTS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("eligibility", r"นิติบุคคล|จดทะเบียน(?:บริษัท|ก่อน|ไหม|มั้ย)|จดบริษัท|(?:ไม่ได้|ยังไม่)จด|เป็นบริษัท|คุณสมบัติ|"
                        r"ใครสมัครได้|ใครเข้าร่วมได้|เงื่อนไข|ร้านเล็ก.{0,10}(?:สมัคร|เข้าร่วม)ได้|"
                        r"eligib|who can (?:apply|join)|registered (?:company|business)|qualif|need a company"),
        ("documents", r"เอกสาร|ต้องเตรียม|หลักฐาน|document|paperwork|what do i need to (?:prepare|bring)"),
        ("cost", r"ค่าใช้จ่าย|เสียเงิน|เสียค่า|เสียตัง|เสียสตางค์|ฟรีไหม|ฟรีมั้ย|ฟรีรึเปล่า|ฟรีป่าว|มีค่า|ค่าสมัคร|ค่าบริการ|"
                 r"ต้องจ่าย|จ่ายเงิน|ร่วมจ่าย|ออกเงินเอง|"
                 r"\bcosts?\b|\bfees?\b|is it free|\bpay\b"),
        ("deadline", r"ปิดรับ|หมดเขต|วันสุดท้าย|ถึงวันไหน|ถึงเมื่อไหร่|ถึงเมื่อไร|เปิดรับถึง|รับถึง|สมัครได้ถึง|"
                     r"เปิดรับเมื่อไหร่|เปิดรับวันไหน|เปิดเมื่อไหร่|รอบหน้า|deadline|clos(?:e|es|ing)|until when"),
        ("amount", r"กู้.{0,24}ได้เท่า|กู้.{0,24}ได้กี่|ยืม.{0,24}ได้เท่า|วงเงิน|ดอกเบี้ย|ได้เงินเท่า|how much can|interest|loan limit"),
        ("apply", r"สมัครยังไง|สมัครอย่างไร|สมัครที่ไหน|สมัครได้ที่|วิธีสมัคร|ขั้นตอน|ยื่นที่ไหน|ยื่นยังไง|ยื่นได้ที่|"
                  r"ลงทะเบียนยังไง|สมัครทางไหน|how (?:do|can) i apply|how to apply|where (?:do|can) i apply|\bapply\b"),
        ("duration", r"กี่วัน|ใช้เวลา|นานไหม|นานมั้ย|ระยะเวลา|กี่เดือน|how long"),
        ("contact", r"ติดต่อใคร|หน่วยงานไหน|ใคร(?:เป็นคน)?ดูแล|ใครรับผิดชอบ|ใครจัด|who runs|who do i contact"),
    )
)  # fmt: skip
ORDINALS = {"แรก": 1, "หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9,
            "สิบ": 10, "สุดท้าย": -1, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "last": -1}  # fmt: skip
_WORDS = "|".join(sorted(ORDINALS, key=len, reverse=True))
ORDINAL = re.compile(
    rf"^(?:แล้ว|ขอดู|ดู|ขอ|เอา)?\s*(?:อัน|ตัว|โครงการ|การ์ด|ใบ|ข้อ)\s*(?:ที่)?\s*(\d{{1,2}}|{_WORDS})(?!\d)"
    rf"|\bthe ({_WORDS}) (?:one|program|card)\b|\b(?:number|no\.?)\s*(\d{{1,2}})\b"
)
TRACK_LETTER = re.compile(rf"^(?:แล้ว|แล้วก็|ส่วน|ขอดู)?\s*(?:สาย|track)\s*([กสอ])(?:\s|$|{_P})")
TRACK_OF = {"ก": "agro", "ส": "creative", "อ": "smart"}
PRIVACY = (
    ("erase", re.compile(r"ลบ.{0,12}ข้อม[ุู]ล|ข้อม[ุู]ล.{0,12}ลบ|delete (?:my|all)|erase|remove my (?:data|info)")),
    ("withdraw", re.compile(r"ถอน.{0,6}ยินยอม|ไม่(?:อยาก)?(?:ให้)?(?:เก็บ|ใช้)ข้อม[ุู]ล|เลิกเก็บ|หยุดเก็บ|withdraw")),
    ("export", re.compile(r"ขอไฟล์|ดาวน์โหลด|export|download|ส่งข้อมูล.{0,8}ให้(?:ฉัน|ผม|หนู)")),
    (
        "mydata",
        re.compile(
            r"ขอดูข้อม[ุู]ล|ข้อม[ุู]ล(?:ที่เก็บ|ของ(?:ฉัน|ผม|หนู|เรา|ดิฉัน))|เก็บอะไร(?:ของ|ไว้)|เก็บข้อม[ุู]ลอะไร(?:ของ|ไว้)"
            r"|my data|data (?:you|do you) (?:keep|have)"
        ),
    ),
)
NEWS_STOP = re.compile(r"ไม่(?:อยาก|ต้อง)(?:ได้|รับ|ส่ง)|หยุด|เลิก|ยกเลิก|พอแล้ว|stop|unsubscribe|no more")
NEWS_START = re.compile(
    r"กลับมารับ|รับ.{0,12}(?:อีกครั้ง|ต่อ|อีก)|เปิดรับ|อยาก(?:ได้|รับ)ข่าว|ขอรับข่าว"
    r"|resubscribe|subscribe again|start (?:sending|receiving)"
)
STATUS = re.compile(r"สถานะ|ถึงไหน|ความคืบหน้า|ผลการสมัคร|ไม่มีใครโทร|ยังไม่มีใครติดต่อ|ยังไม่ได้รับการติดต่อ|my application|status")
MENTOR_WISH = re.compile(
    r"(?:ขอ|อยาก(?:ได้|มี)|หา|ต้องการ|มีไหม).{0,8}(?:พี่เลี้ยง|ที่ปรึกษา|โค้ช|mentor)|พี่เลี้ยง.{0,6}(?:หน่อย|ด้วย)"
    r"|(?:get|need|want|find)(?: me)? an? (?:business )?mentor"
)
PROVINCES_ASKED = re.compile(r"ดูแล.{0,10}จังหวัด|กี่จังหวัด|จังหวัดอะไรบ้าง|which provinces|how many provinces")
VOLUNTEER = re.compile(r"อยากเป็นพี่เลี้ยง|เป็นพี่เลี้ยงให้|สมัครเป็นพี่เลี้ยง|become a mentor|be a mentor|volunteer", re.I)


def _clean(text: str) -> str:
    return normalize(text)


def is_question(text: str) -> bool:
    t = _clean(text)
    return bool(QUESTION_END.search(t) or QUESTION_WORD.search(t))


def aspect(text: str) -> str | None:
    t = _clean(text)
    return next((name for name, pattern in ASPECTS if pattern.search(t)), None)


def ordinal(text: str) -> int | None:
    """ "อันที่สอง" -> 2, "อันแรก" -> 1, "the second one" -> 2, "อันสุดท้าย" -> -1."""
    m = ORDINAL.search(_clean(text))
    if not m:
        return None
    word = next(g for g in m.groups() if g)
    return int(word) if word.isdigit() else ORDINALS[word]


def track_letter(text: str) -> str | None:
    """ "แล้วสาย ส ล่ะ" -> creative."""
    m = TRACK_LETTER.search(_clean(text))
    return TRACK_OF[m.group(1)] if m else None


def privacy_action(text: str) -> str | None:
    t = _clean(text)
    return next((name for name, pattern in PRIVACY if pattern.search(t) or pattern.search(strip_tones(t))), None)


def wants_news(text: str) -> bool | None:
    """True: (re)start announcements; False: stop them; None: cannot tell."""
    t = _clean(text)
    if NEWS_START.search(t) and not re.search(r"ไม่(?:อยาก|ต้อง)", t):
        return True
    return False if NEWS_STOP.search(t) else None


def asks_status(text: str) -> bool:
    return bool(STATUS.search(_clean(text)))


def volunteers(text: str) -> bool:
    return bool(VOLUNTEER.search(_clean(text)))


def wants_mentor(text: str) -> bool:
    return bool(MENTOR_WISH.search(_clean(text)))


def asks_provinces(text: str) -> bool:
    return bool(PROVINCES_ASKED.search(_clean(text)))
