"""The conversation state: every prompt survives a JSON round trip, and state written by v1 (the
loose dict) is read and upgraded on first use, so nobody mid-form, in a handoff or at a consent
question loses their place when v2 ships. On the memory store and on real Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.ids import user_key
from domain.privacy import consent_entry
from domain.prompts import Clarify, Confirm, Consent, Form, Handoff, MentorTrack, Menu, Province, WhichProgram
from domain.routes import Route
from domain.state import ConversationState, FormPos, Topic
from domain.state import Handoff as HandoffState
from tests.support.harness import NOW, Bot, texts


def test_every_prompt_and_the_topic_survive_a_round_trip() -> None:
    prompts = [
        Clarify(options=("mentor", "funding"), text="อะไรนะ"),
        Menu(),
        Consent(then=Route("mentor.request", {"track": "agro"})),
        Confirm(action="withdraw"),
        Province(),
        MentorTrack(),
        Handoff(text="มีคนไหม"),
        WhichProgram(options=("a", "b"), aspect="cost"),
        Form(step="phone", editing=True),
    ]
    for p in prompts:
        state = ConversationState(
            prompt=p,
            form=FormPos(step="phone", at=NOW.isoformat(), program="agro-food-processing"),
            handoff=HandoffState(case="C1", until=NOW.isoformat()),
            topic=Topic(at=NOW.isoformat(), track="agro", programs=("a", "b"), program="b", province="ขอนแก่น"),
        )
        assert ConversationState.from_json(state.to_json()) == state


def test_a_program_broadcast_becomes_the_topic_unless_something_newer_or_it_is_two_days_old() -> None:
    heard = {"v": 1, "program": "agro-food-processing", "at": (NOW - timedelta(hours=3)).isoformat()}
    topic = ConversationState().hearing(heard, NOW).topic_now(NOW)
    assert topic is not None and topic.program == "agro-food-processing"
    newer = ConversationState(topic=Topic(at=(NOW - timedelta(hours=1)).isoformat(), programs=("ci-design",)))
    assert newer.hearing(heard, NOW).topic == newer.topic  # talked about something else since
    older = ConversationState(topic=Topic(at=(NOW - timedelta(hours=5)).isoformat(), programs=("ci-design",)))
    assert older.hearing(heard, NOW).topic.program == "agro-food-processing"  # type: ignore[union-attr]
    stale = {**heard, "at": (NOW - timedelta(hours=49)).isoformat()}
    assert ConversationState().hearing(stale, NOW).topic is None
    assert ConversationState().hearing(None, NOW).topic is None


def test_a_prompt_of_a_newer_version_is_dropped_and_the_rest_kept() -> None:
    state = ConversationState.from_json(
        {"v": 2, "prompt": {"kind": "from_the_future"}, "handoff": {"case": "C1", "until": "2099"}, "x": 1}
    )
    assert state.prompt is None and state.handoff == HandoffState("C1", "2099") and state.extra == {"x": 1}


def _v1(bot: Bot, user: str, state: dict, consent: bool = True) -> None:
    uh = user_key(bot.settings.hash_key, user)
    bot.store.put("state", uh, {"v": 1, **state})
    if consent:
        bot.store.append("consent", uh, consent_entry(bot.dispatcher.d.notice, NOW.isoformat(), "granted"))


def _walks(bot: Bot, user: str) -> None:
    uh = user_key(bot.settings.hash_key, user)
    fields = {"business_name": "โรงสีข้าวทองดี", "contact_name": "สมชาย ใจดี"}
    bot.store.put("draft", uh, {"v": 1, "fields": fields, "started": NOW.isoformat()})
    _v1(bot, user, {"form": {"step": "province", "at": (NOW - timedelta(minutes=5)).isoformat(), "editing": False}})
    assert "(4/10)" in texts(bot.say(user, "ขอนแก่น")), "a v1 form continues at its question"
    assert bot.store.get("state", uh)["v"] == 2


@pytest.fixture(params=["memory", "redis"])
def any_bot(request, classifier) -> Bot:
    if request.param == "memory":
        return Bot(classifier)
    from tests.support.redis_bot import RedisBot

    request.getfixturevalue("redis_client")
    return RedisBot(classifier, request.getfixturevalue("redis_url"))


def test_a_v1_form_continues_where_it_was(any_bot: Bot, user: str) -> None:
    _walks(any_bot, user)


def test_a_v1_handoff_keeps_the_bot_quiet_until_the_user_comes_back(any_bot: Bot, user: str) -> None:
    _v1(any_bot, user, {"handoff": {"case": "A14C48", "until": (NOW + timedelta(hours=3)).isoformat()}})
    assert any_bot.say(user, "รออยู่นะครับ") == []
    assert "บอทกลับมาแล้ว" in texts(any_bot.say(user, "กลับไปคุยกับบอท"))


def test_a_v1_consent_question_is_answered_and_the_mentor_flow_goes_on(any_bot: Bot, user: str) -> None:
    _v1(any_bot, user, {"prompt": {"kind": "consent", "then": "mentor"}}, consent=False)
    assert "สายไหน" in texts(any_bot.say(user, "ยินยอม"))
    assert "ส่งคำขอพี่เลี้ยงแล้ว" in texts(any_bot.say(user, "ก"))


def test_a_v1_erase_question_is_answered(any_bot: Bot, user: str) -> None:
    _v1(any_bot, user, {"prompt": {"kind": "erase"}})
    assert "ลบข้อมูลของคุณเรียบร้อยแล้ว" in texts(any_bot.say(user, "ยืนยันลบข้อมูล"))


def test_a_v1_clarify_question_takes_its_number(any_bot: Bot, user: str) -> None:
    _v1(any_bot, user, {"prompt": {"kind": "clarify", "options": ["mentor", "funding"], "text": "ขอทุน"}})
    assert "ดีพร้อมเปย์" in texts(any_bot.say(user, "2"))
