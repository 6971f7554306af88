"""The router order of ARCHITECTURE.md, one test per step, with a stub classifier."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from bot.incoming import parse_event
from bot.router import Router
from domain.prompts import Clarify, Confirm, Consent, Form, Menu, Province
from domain.routes import Route
from domain.state import ConversationState, Handoff, Topic
from nlp.classifier import Prediction
from tests.support import line
from tests.support.harness import NOW

STAFF = line.uid(0x5AFF)
USER = line.uid(0xC0FFEE)


def stub(intent: str = "funding", confident: bool = True, confidence: float = 0.9):
    calls: list[str] = []

    def classify(text: str) -> Prediction:
        calls.append(text)
        return Prediction(
            text, intent, confidence if confident else 0.3, [("mentor", 0.2), ("contact", 0.1)], confident
        )

    classify.calls = calls  # type: ignore[attr-defined]
    return classify


@cache
def world():
    import nlp  # noqa: F401
    from domain.catalog import Catalog
    from domain.texts import Texts
    from nlp.entities import EntityExtractor

    return Texts(), Catalog(), EntityExtractor.from_config()


def route(text: str, state: ConversationState | None = None, classify=None, user: str = USER, **kw):
    texts, catalog, ents = world()
    r = Router(classify or stub(), frozenset({STAFF}), texts, catalog, ents, 0.8)
    return r.route(parse_event(line.text(user, text, **kw)), state or ConversationState(), NOW)


def first(text: str, **kw) -> Route:
    routed = route(text, **kw)
    assert routed is not None
    return routed.routes[0]


HANDOFF = ConversationState(handoff=Handoff("C1", (NOW + timedelta(hours=1)).isoformat()))


def test_1_handoff_gate_keeps_the_bot_quiet() -> None:
    classify = stub()
    assert route("ช่วยด้วยครับ", state=HANDOFF, classify=classify) is None
    assert classify.calls == []  # type: ignore[attr-defined]


def test_1_handoff_gate_lets_commands_and_privacy_requests_through_and_expires() -> None:
    assert first("กลับไปคุยกับบอท", state=HANDOFF).name == "back_to_bot"
    assert first("กลับไปคุยกับบอด", state=HANDOFF).name == "back_to_bot"
    assert first("ลบข้อมูลของฉันทั้งหมดด้วยค่ะ", state=HANDOFF).name == "privacy.erase"
    asked = HANDOFF.with_(prompt=Confirm(action="erase"))
    assert first("ยืนยันลบข้อมูล", state=asked).name == "privacy.erase_confirmed"
    expired = ConversationState(handoff=Handoff("C1", (NOW - timedelta(minutes=1)).isoformat()))
    assert first("ขอกู้เงิน", state=expired).name == "funding"


def test_2_global_commands_win_over_an_active_prompt() -> None:
    asked = ConversationState(prompt=Confirm(action="erase"))
    assert first("ยกเลิกครับ", state=asked).name == "cancel"
    assert first("เมนู", state=ConversationState(prompt=Clarify(options=("mentor",)))).name == "help"
    assert first("คุยกับเจ้าหน้าที่", state=asked).name == "human.open"
    assert first("ข้อมูลของฉัน").name == "privacy.mydata"


def test_3_the_active_prompt_reads_typed_answers() -> None:
    clarify = ConversationState(prompt=Clarify(options=("mentor", "funding"), text="x"))
    assert first("2", state=clarify) == Route("funding", {"text": "x"})
    assert first("1", state=ConversationState(prompt=Menu())).args == {"track": "agro"}
    assert (
        first("ยืนยันลบข้อมูล", state=ConversationState(prompt=Confirm(action="erase"))).name == "privacy.erase_confirmed"
    )
    assert first("ขอนแก่นครับ", state=ConversationState(prompt=Province())).args == {"province": "ขอนแก่น"}
    consent = ConversationState(prompt=Consent(then=Route("mentor.request")))
    assert first("ยินยอม", state=consent).args == {"then": {"name": "mentor.request", "args": {}}}
    form = ConversationState(prompt=Form(step="business_name"))
    assert first("ร้านข้าวแต๋นแม่มาลี", state=form, classify=stub("out_of_scope")).name == "form.answer"


def test_3_text_that_is_not_an_answer_goes_on_and_the_prompt_is_interrupted() -> None:
    asked = ConversationState(prompt=Form(step="business_name"))
    routed = route("สมัคร", state=asked)
    assert routed is not None and routed.routes[0].name == "register.start"
    assert routed.interrupted == Form(step="business_name")
    assert first("อยากกู้เงิน", state=ConversationState(prompt=Confirm(action="erase"))).name == "funding"


def test_4_old_postback_buttons_are_answered_politely() -> None:
    texts, catalog, ents = world()
    r = Router(stub(), frozenset(), texts, catalog, ents)
    inc = parse_event(line.event("postback", USER, postback={"data": "action=old&id=1"}))
    assert r.route(inc, ConversationState(), NOW).routes[0].name == "postback.expired"  # type: ignore[union-attr]


def test_5_staff_commands_only_for_staff() -> None:
    assert first("ปิดเรื่อง C1Z2", user=STAFF) == Route("staff.close", {"arg": "C1Z2"})
    assert first("ยืนยันผู้เข้าร่วม r7kq-2m4x", user=STAFF) == Route("staff.confirm", {"arg": "R7KQ2M4X"})
    assert first("สร้างกลุ่ม วิสาหกิจข้าวอินทรีย์ ขอนแก่น", user=STAFF).name == "staff.group"
    assert first("ปิดเรื่อง C1Z2", user=USER, classify=stub("unsubscribe")).name == "fallback"


def test_6_exact_rules_before_the_classifier() -> None:
    classify = stub("out_of_scope")
    assert first("ก", classify=classify).args == {"track": "agro"}
    assert first("สถานะของฉัน", classify=classify).name == "register.status"
    assert first("รับข่าวสาร", classify=classify).name == "unsubscribe.resume"
    assert classify.calls == []  # type: ignore[attr-defined]


def test_7_entities_first() -> None:
    classify = stub("out_of_scope")
    assert first("โคราด", classify=classify).args == {"province": "นครราชสีมา"}
    assert first("ศูนย์ภาค ๑", classify=classify).args == {"center": "ipc1"}
    assert first("แล้วสาย ส ล่ะ", classify=classify).args == {"track": "creative"}
    assert first("คาราคูริ ไคเซ็น คืออะไร", classify=classify).args == {
        "program": "smart-karakuri-kaizen",
        "aspect": "overview",
    }
    shown = ConversationState(topic=Topic(at=NOW.isoformat(), programs=("a", "b", "c")))
    assert first("อันที่สอง", state=shown, classify=classify).args == {"program": "b", "aspect": "overview"}
    assert classify.calls == []  # type: ignore[attr-defined]


def test_8_follow_ups_are_about_the_topic() -> None:
    one = ConversationState(topic=Topic(at=NOW.isoformat(), programs=("a", "b"), program="b"))
    assert first("ต้องใช้เอกสารอะไร", state=one, classify=stub("register")).args == {
        "program": "b",
        "aspect": "documents",
    }
    stale = ConversationState(topic=Topic(at=(NOW - timedelta(minutes=31)).isoformat(), program="b"))
    assert first("ต้องใช้เอกสารอะไร", state=stale, classify=stub("register")) == Route(
        "program.which", {"aspect": "documents"}
    )


def test_8_a_handoff_needs_a_clear_request() -> None:
    assert first("ขอคุยกับคนหน่อย", classify=stub("human", confidence=0.95)).name == "human.open"
    assert first("มีคนช่วยไหม", classify=stub("human", confidence=0.6)).name == "human.ask"
    assert first("12 คน", classify=stub("human", confidence=0.95)).name == "human.ask"


def test_8_classifier_confident_and_unsure() -> None:
    assert first("ขอทุนหน่อย", classify=stub("funding")).name == "funding"
    assert first("อะไรนะ", classify=stub("funding", confident=False)).name == "clarify"
    assert first("ดูดวงให้หน่อย", classify=stub("out_of_scope")).name == "out_of_scope"


def test_9_fallback_for_input_nothing_can_route() -> None:
    classify = stub()
    assert first("🙏🙏🙏", classify=classify).name == "fallback"
    assert first(" " * 10_000, classify=classify).name == "fallback"
    assert classify.calls == []  # type: ignore[attr-defined]


PROMPT_ONLY = {"erase_confirm", "withdraw_confirm", "consent_yes", "consent_no", "confirm", "edit", "none",
               "pause", "discard", "no_thanks", "close_case", "approve", "decline", "announce_all",
               "announce_registered", "announce_send", "announce_test", "announce_more"}  # fmt: skip


def test_6_every_quick_reply_tap_routes_without_the_classifier() -> None:
    classify = stub("out_of_scope")
    texts, catalog, ents = world()
    r = Router(classify, frozenset(), texts, catalog, ents)
    for key, values in texts.labels("choice").items():
        if key in PROMPT_ONLY or key.startswith("stage_"):
            continue  # answers to a question the bot asked (step 3), tested in the flows
        for label in values:
            got = r.route(parse_event(line.text(USER, label)), ConversationState(), NOW)
            assert got is not None and got.routes[0].name not in ("out_of_scope", "clarify"), (key, label)
    assert classify.calls == []  # type: ignore[attr-defined]
