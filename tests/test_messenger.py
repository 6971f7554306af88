"""The LINE messenger against a scripted API: retries, retry keys, reply-or-push, limits."""

from __future__ import annotations

import pytest

from bot.messenger import QuotaExceeded
from bot.messenger.line import LineMessenger, make_client
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


def messenger(stub: StubLine, timeout: float = 2.0) -> LineMessenger:
    return LineMessenger(make_client(stub.url, "TOKEN"), timeout=timeout, backoff=0.01, sleep=lambda s: None)


def test_a_reply_is_sent_once_without_a_retry_key(line) -> None:
    messenger(line).deliver(USER, "tok", MSG)
    assert line.paths() == [REPLY]
    assert "X-Line-Retry-Key" not in line.requests[0]["headers"]
    assert line.requests[0]["headers"]["Authorization"] == "Bearer TOKEN"


def test_429_and_5xx_are_retried_and_push_keeps_one_retry_key(line) -> None:
    line.script = [(429, {"message": "Too Many Requests"}, 0), (500, {"message": "Internal"}, 0), (200, {}, 0)]
    messenger(line).push(USER, MSG)
    keys = {r["headers"]["X-Line-Retry-Key"] for r in line.requests}
    assert line.paths() == [PUSH] * 3 and len(keys) == 1


def test_409_after_a_retry_means_it_was_already_delivered(line) -> None:
    line.script = [(500, {}, 0), (409, {"message": "The retry key is already accepted"}, 0)]
    messenger(line).push(USER, MSG)
    assert len(line.requests) == 2


def test_the_monthly_limit_is_not_retried(line) -> None:
    line.script = [(429, {"message": "You have reached your monthly limit."}, 0)]
    with pytest.raises(QuotaExceeded):
        messenger(line).push(USER, MSG)
    assert len(line.requests) == 1


def test_attempts_are_capped(line) -> None:
    line.script = [(503, {}, 0)] * 20
    messenger(line).push(USER, MSG)
    assert len(line.requests) == 6


def test_a_refused_reply_falls_back_to_push(line) -> None:
    line.script = [(400, {"message": "Invalid reply token"}, 0)]
    messenger(line).deliver(USER, "expired", MSG)
    assert line.paths() == [REPLY, PUSH]


def test_invalid_token_after_our_own_timeout_counts_as_delivered(line) -> None:
    line.script = [(200, {}, 1.5), (400, {"message": "Invalid reply token"}, 0)]
    messenger(line, timeout=0.5).deliver(USER, "tok", MSG)
    assert line.paths() == [REPLY, REPLY]  # no push: the first reply most likely arrived


def test_more_than_five_messages_go_reply_then_push_in_order(line) -> None:
    msgs = [{"type": "text", "text": str(i)} for i in range(7)]
    messenger(line).deliver(USER, "tok", msgs)
    assert line.paths() == [REPLY, PUSH]
    assert [m["text"] for r in line.requests for m in r["body"]["messages"]] == [str(i) for i in range(7)]


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
