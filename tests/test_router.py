"""The router order of ARCHITECTURE.md, one test per step, with a stub classifier."""

from __future__ import annotations

from datetime import timedelta

from bot.incoming import parse_event
from bot.router import Router
from nlp.classifier import Prediction
from tests.support import line
from tests.support.harness import NOW

STAFF = line.uid(0x5AFF)
USER = line.uid(0xC0FFEE)


def stub(intent: str = "funding", confident: bool = True):
    calls: list[str] = []

    def classify(text: str) -> Prediction:
        calls.append(text)
        return Prediction(text, intent, 0.9 if confident else 0.3, [("mentor", 0.2), ("contact", 0.1)], confident)

    classify.calls = calls  # type: ignore[attr-defined]
    return classify


def route(text: str, state=None, prompt=None, classify=None, user: str = USER, **kw):
    r = Router(classify or stub(), frozenset({STAFF}))
    inc = parse_event(line.text(user, text, **kw))
    return r.route(inc, state or {}, prompt, NOW, lambda t: "ขอนแก่น" if "ขอนแก่น" in t else None)


HANDOFF = {"handoff": {"case": "ABC123", "until": (NOW + timedelta(hours=1)).isoformat()}}


def test_1_handoff_gate_keeps_the_bot_quiet() -> None:
    classify = stub()
    assert route("ช่วยด้วยครับ", state=HANDOFF, classify=classify) is None
    assert classify.calls == []  # type: ignore[attr-defined]


def test_1_handoff_gate_lets_global_commands_through_and_expires() -> None:
    assert route("กลับไปคุยกับบอท", state=HANDOFF).name == "back_to_bot"
    expired = {"handoff": {"case": "ABC123", "until": (NOW - timedelta(minutes=1)).isoformat()}}
    assert route("ขอกู้เงิน", state=expired).name == "funding"


def test_2_global_commands_win_over_an_active_prompt() -> None:
    prompt = {"kind": "erase"}
    assert route("ยกเลิกครับ", prompt=prompt).name == "cancel"
    assert route("เมนู", prompt={"kind": "clarify", "options": ["mentor"]}).name == "help"
    assert route("คุยกับเจ้าหน้าที่", prompt=prompt).name == "human"
    assert route("ข้อมูลของฉัน").extra == {"privacy": "mydata"}


def test_3_active_prompt_takes_typed_answers() -> None:
    clarify = {"kind": "clarify", "options": ["mentor", "funding"], "text": "x"}
    assert route("2", prompt=clarify).name == "funding"
    assert route("1", prompt={"kind": "menu"}).name == "program_agro"
    assert route("ยืนยันลบข้อมูล", prompt={"kind": "erase"}).extra == {"privacy": "erase_confirmed"}
    assert route("ขอนแก่นครับ", prompt={"kind": "province"}).name == "contact"


def test_3_an_unrelated_answer_leaves_the_prompt_for_the_classifier() -> None:
    assert route("อยากกู้เงิน", prompt={"kind": "erase"}, classify=stub("funding")).name == "funding"


def test_4_old_postback_buttons_are_answered_politely() -> None:
    r = Router(stub(), frozenset())
    inc = parse_event(line.event("postback", USER, postback={"data": "action=old&id=1"}))
    assert r.route(inc, {}, None, NOW).name == "postback_expired"


def test_5_staff_commands_only_for_staff() -> None:
    assert route("ปิดเรื่อง ABC123", user=STAFF).extra == {"arg": "ABC123"}
    assert route("ยืนยันผู้เข้าร่วม RAB12CD", user=STAFF).name == "staff_confirm"
    assert route("สร้างกลุ่ม วิสาหกิจข้าวอินทรีย์ ขอนแก่น", user=STAFF).name == "staff_group"
    assert route("ปิดเรื่อง ABC123", user=USER, classify=stub("out_of_scope")).name == "out_of_scope"


def test_6_exact_rules_before_the_classifier() -> None:
    classify = stub("out_of_scope")
    assert route("ก", classify=classify).name == "program_agro"
    assert route("สถานะของฉัน", classify=classify).extra == {"status": True}
    assert route("รับข่าวสาร", classify=classify).extra == {"resubscribe": True}
    assert classify.calls == []  # type: ignore[attr-defined]


def test_7_classifier_confident_and_unsure() -> None:
    assert route("ขอทุนหน่อย", classify=stub("funding")).name == "funding"
    assert route("อะไรนะ", classify=stub("funding", confident=False)).name == "clarify"
    assert route("ดูดวงให้หน่อย", classify=stub("out_of_scope")).name == "out_of_scope"


def test_8_fallback_for_input_nothing_can_route() -> None:
    classify = stub()
    assert route("🙏🙏🙏", classify=classify).name == "fallback"
    assert route(" " * 10_000, classify=classify).name == "fallback"
    assert classify.calls == []  # type: ignore[attr-defined]


PROMPT_ONLY = {"erase_confirm", "withdraw_confirm", "consent_yes", "consent_no", "confirm", "edit", "resume", "none"}


def test_6_every_quick_reply_tap_routes_without_the_classifier() -> None:
    from bot.texts import Texts

    classify = stub("out_of_scope")
    labels = Texts().labels("choice")
    r = Router(classify, frozenset(), labels)
    for key, values in labels.items():
        if key in PROMPT_ONLY:
            continue  # answers to a question the bot asked (step 3), tested in the flows
        for label in values:
            got = r.route(parse_event(line.text(USER, label)), {}, None, NOW)
            assert got is not None and got.name not in ("out_of_scope", "clarify"), (key, label)
    assert classify.calls == []  # type: ignore[attr-defined]
