"""The LINE messenger against a scripted API: retries, retry keys, reply-or-push, limits."""

from __future__ import annotations

import time

import pytest

from bot.messenger import DeliveryFailed, QuotaExceeded, Sending
from bot.messenger.base import retry_key
from bot.messenger.line import LineMessenger
from bot.messenger.render import split_text, to_line, utf16_len
from domain.replies import Card, Choice, Text
from tests.support.stub_line import StubLine

USER = "U" + "a" * 32
REPLY, PUSH = "/v2/bot/message/reply", "/v2/bot/message/push"
MSG = [{"type": "text", "text": "สวัสดี"}]


@pytest.fixture
def line():
    stub = StubLine()
    yield stub
    stub.close()


def messenger(stub: StubLine, timeout: float = 2.0, push_seconds: float = 5.0) -> LineMessenger:
    return LineMessenger(stub.url, "TOKEN", timeout=timeout, push_seconds=push_seconds, backoff=0.01)


def sending(event: str = "E1", seconds: float = 30, marked: str | None = None) -> tuple[Sending, list[str]]:
    marks: list[str] = []
    return Sending(event_id=event, deadline=time.time() + seconds, mark=marks.append, marked=marked), marks


def test_a_reply_is_sent_once_without_a_retry_key_and_marked(line) -> None:
    s, marks = sending()
    messenger(line).deliver(USER, "tok", MSG, s)
    assert line.paths() == [REPLY] and marks == ["started"]
    assert "X-Line-Retry-Key" not in line.requests[0]["headers"]
    assert line.requests[0]["headers"]["Authorization"] == "Bearer TOKEN"


def test_a_reply_is_retried_until_the_token_deadline_then_pushed(line) -> None:
    line.script = [(500, {"message": "Internal"}, 0)] * 200
    s, _ = sending(seconds=0.6)
    started = time.time()
    with pytest.raises(DeliveryFailed):
        messenger(line, push_seconds=0.5).deliver(USER, "tok", MSG, s)
    paths = line.paths()
    assert paths.count(REPLY) >= 3 and paths[-1] == PUSH and 0.4 < time.time() - started < 3
    assert line.paths(loading=True).count("/v2/bot/chat/loading/start") == 1  # the user sees typing dots
    assert len({r["headers"]["X-Line-Retry-Key"] for r in line.requests if r["path"] == PUSH}) == 1
    assert line.requests[1]["body"] == {"chatId": USER, "loadingSeconds": 20}


def test_an_event_too_old_for_its_token_is_pushed_with_a_key_from_the_event(line) -> None:
    s, _ = sending(seconds=-1)
    messenger(line).deliver(USER, "tok", MSG, s)
    assert line.paths() == [PUSH]
    assert line.requests[0]["headers"]["X-Line-Retry-Key"] == retry_key("E1", 0)


def test_429_and_5xx_are_retried_and_push_keeps_one_retry_key(line) -> None:
    line.script = [(429, {"message": "Too Many Requests"}, 0), (500, {"message": "Internal"}, 0), (200, {}, 0)]
    messenger(line).push(USER, MSG, retry_key("E1", 3))
    keys = {r["headers"]["X-Line-Retry-Key"] for r in line.requests}
    assert line.paths() == [PUSH] * 3 and keys == {retry_key("E1", 3)}


def test_409_after_a_retry_means_it_was_already_delivered(line) -> None:
    line.script = [(500, {}, 0), (409, {"message": "The retry key is already accepted"}, 0)]
    messenger(line).push(USER, MSG, retry_key("E1", 0))
    assert len(line.requests) == 2


def test_the_monthly_limit_is_not_retried(line) -> None:
    line.script = [(429, {"message": "You have reached your monthly limit."}, 0)]
    with pytest.raises(QuotaExceeded):
        messenger(line).push(USER, MSG, retry_key("E1", 0))
    assert len(line.requests) == 1


def test_a_push_never_accepted_is_not_counted_as_delivered(line) -> None:
    line.script = [(503, {}, 0)] * 500
    with pytest.raises(DeliveryFailed):
        messenger(line, push_seconds=0.3).push(USER, MSG, retry_key("E1", 0))
    assert len(line.requests) >= 3


def test_a_refused_reply_falls_back_to_push(line) -> None:
    line.script = [(400, {"message": "Invalid reply token"}, 0)]
    s, _ = sending()
    messenger(line).deliver(USER, "expired", MSG, s)
    assert line.paths() == [REPLY, PUSH]


def test_invalid_token_after_our_own_timeout_counts_as_delivered(line) -> None:
    line.script = [(200, {}, 1.5), (400, {"message": "Invalid reply token"}, 0)]
    s, marks = sending()
    messenger(line, timeout=0.5).deliver(USER, "tok", MSG, s)
    assert line.paths() == [REPLY, REPLY] and marks == ["started"]  # no push: the first reply most likely arrived


def test_a_rerun_never_replies_or_pushes_twice(line) -> None:
    done, _ = sending(marked="done")
    messenger(line).deliver(USER, "tok", MSG, done)
    assert line.paths() == []  # the earlier run's reply arrived
    line.script = [(400, {"message": "Invalid reply token"}, 0)]
    started, marks = sending(marked="started")  # the earlier run died while replying
    messenger(line).deliver(USER, "tok", MSG, started)
    assert line.paths() == [REPLY] and marks == ["started"]


def test_more_than_five_messages_go_reply_then_push_in_order(line) -> None:
    msgs = [{"type": "text", "text": str(i)} for i in range(7)]
    s, _ = sending()
    messenger(line).deliver(USER, "tok", msgs, s)
    assert line.paths() == [REPLY, PUSH]
    assert [m["text"] for r in line.requests for m in r["body"]["messages"]] == [str(i) for i in range(7)]
    assert line.requests[1]["headers"]["X-Line-Retry-Key"] == retry_key("E1", 1)


def test_long_thai_text_is_split_within_5000_utf16_units() -> None:
    text = "ที่นี่มีโครงการดี ๆ มากมาย 😊 " * 400
    parts = split_text(text)
    assert len(parts) > 1 and all(utf16_len(p) <= 5000 for p in parts)
    assert "".join(parts).replace(" ", "") == text.strip().replace(" ", "")


def test_quick_replies_are_capped_at_13_on_the_last_message() -> None:
    choices = [Choice(f"ตัวเลือก {i}", str(i)) for i in range(20)]
    out = to_line([Text("หนึ่ง"), Text("สอง")], choices)
    assert "quickReply" not in out[0]
    items = out[-1]["quickReply"]["items"]
    assert len(items) == 13 and all(len(i["action"]["label"]) <= 20 for i in items)


def test_a_carousel_keeps_at_most_12_bubbles() -> None:
    bubble = {"type": "bubble", "body": {"type": "box", "layout": "vertical", "contents": []}}
    out = to_line([Card("โครงการ", {"type": "carousel", "contents": [bubble] * 15})])
    assert len(out[0]["contents"]["contents"]) == 12
