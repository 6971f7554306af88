"""POST /callback: signature on raw bytes, malformed bodies, size, dedupe, atomic enqueue."""

from __future__ import annotations

import json

from bot.webhook import MAX_BODY
from tests.support import line
from tests.support.harness import Bot


class CountingClassifier:
    def __init__(self, inner):
        self.inner, self.calls = inner, 0

    def __call__(self, text):
        self.calls += 1
        return self.inner(text)


def test_forged_signature_gets_400_and_nothing_is_stored_or_sent(bot: Bot, user: str) -> None:
    resp = bot.post(line.text(user, "สวัสดี"), secret="not-the-channel-secret")
    assert resp.status_code == 400
    assert bot.queue.waiting == []
    assert bot.queue.run() == 0 and bot.sent() == []


def test_missing_signature_gets_400(bot: Bot, user: str) -> None:
    assert bot.post(line.text(user, "สวัสดี"), signature="").status_code == 400
    assert bot.queue.waiting == []


def test_signature_is_checked_on_the_bytes_received(bot: Bot, user: str) -> None:
    """A body re-encoded after signing (same JSON, other spacing) no longer matches."""
    body = line.body_of(line.text(user, "สวัสดี"))
    sig = line.sign(bot.settings.channel_secret, body)
    reencoded = json.dumps(json.loads(body)).encode()  # \\u escapes instead of UTF-8
    resp = bot.client.post("/callback", data=reencoded, headers={"X-Line-Signature": sig})
    assert resp.status_code == 400
    ok = bot.client.post("/callback", data=body, headers={"x-line-signature": sig})  # header case
    assert ok.status_code == 200


def test_malformed_json_gets_400(bot: Bot) -> None:
    body = b'{"events": [ this is not json'
    resp = bot.client.post(
        "/callback", data=body, headers={"X-Line-Signature": line.sign(bot.settings.channel_secret, body)}
    )
    assert resp.status_code == 400
    body = b'{"destination": "U1"}'  # no events list
    resp = bot.client.post(
        "/callback", data=body, headers={"X-Line-Signature": line.sign(bot.settings.channel_secret, body)}
    )
    assert resp.status_code == 400


def test_body_over_one_megabyte_gets_413(bot: Bot) -> None:
    body = b'{"events": [], "pad": "' + b"x" * MAX_BODY + b'"}'
    resp = bot.client.post(
        "/callback", data=body, headers={"X-Line-Signature": line.sign(bot.settings.channel_secret, body)}
    )
    assert resp.status_code == 413


def test_verify_button_with_no_events_gets_200(bot: Bot) -> None:
    assert bot.post().status_code == 200


def test_the_same_event_delivered_twice_is_answered_once(bot: Bot, user: str) -> None:
    ev = line.text(user, "สวัสดีครับ")
    assert bot.post(ev).status_code == 200
    redelivered = {**ev, "deliveryContext": {"isRedelivery": True}}
    assert bot.post(redelivered).status_code == 200
    bot.queue.run()
    replies = [s for s in bot.sent() if s[0] == "reply"]
    assert len(replies) == 1


def test_enqueue_failure_answers_500_and_undoes_the_dedupe_key(bot: Bot, user: str) -> None:
    ev = line.text(user, "สวัสดี")
    bot.queue.fail_next = True
    assert bot.post(ev).status_code == 500
    assert bot.queue.waiting == []
    # LINE redelivers: this time it goes through and is answered.
    assert bot.post({**ev, "deliveryContext": {"isRedelivery": True}}).status_code == 200
    bot.queue.run()
    assert len(bot.sent()) == 1


def test_the_route_does_no_nlu_and_sends_nothing(classifier, user: str) -> None:
    counting = CountingClassifier(classifier)
    b = Bot(counting)
    assert b.post(line.text(user, "อยากได้พี่เลี้ยง"), line.text(user, "ขอบคุณ")).status_code == 200
    assert counting.calls == 0 and b.messenger.sent == []
    b.queue.run()
    assert counting.calls == 2 and len(b.sent()) == 2


def test_one_post_with_several_users_answers_each(bot: Bot) -> None:
    a, b_ = line.uid(1), line.uid(2)
    bot.post(line.text(a, "สวัสดี"), line.text(b_, "ขอบคุณครับ"))
    bot.queue.run()
    targets = sorted(t for _, t, _ in bot.sent())
    assert targets == sorted([a, b_])


def test_health_and_readiness(bot: Bot) -> None:
    assert bot.client.get("/healthz").json == {"status": "ok"}
    ready = bot.client.get("/readyz")
    assert ready.status_code == 200 and ready.json == {"ready": True}


def test_fields_of_the_wrong_json_type_are_skipped_not_a_500(bot: Bot, user: str) -> None:
    """Found by the fuzz test: a list where LINE sends a string or an object."""
    bad_source = {**line.text(line.uid(0xBAD), "x"), "source": {"type": [], "userId": line.uid(0xBAD)}}
    bad_unsend = {**line.event("unsend", user), "unsend": ["m1"]}
    good = line.text(user, "สวัสดีครับ")
    resp = bot.post(bad_source, bad_unsend, good)
    assert resp.status_code == 200
    bot.queue.run()
    assert [target for _, target, _ in bot.sent()] == [user]
