"""Signed, mutated webhook bodies against the real queue on Redis (Hypothesis, seeded, 500 bodies):
no input gives a 5xx while Redis is up, and the good events of a body with bad ones are answered."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bot.settings import DEV_CHANNEL_SECRET
from tests.support import line
from tests.support.harness import texts
from tests.support.redis_bot import RedisBot

GOOD = iter(range(0x600D0000, 0x600E0000))
junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40)
    | st.sampled_from(["", "text", "message", "U" + "0" * 32, "x" * 6000, "\u0e01\u0e48" * 300]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=8,
)  # fmt: skip


def templates() -> list[dict[str, Any]]:
    u = line.uid(0xBAD)
    return [
        line.text(u, "สวัสดี"),
        line.event("postback", u, postback={"data": "action=x", "params": {"date": "2026-11-25"}}),
        line.event("follow", u, follow={"isUnblocked": True}),
        line.event("message", u, message={"type": "location", "id": "1", "latitude": 7.0, "longitude": 100.4}),
        line.event("unsend", u, unsend={"messageId": "1"}),
        line.event("message", u, message={"type": "sticker", "id": "2", "packageId": "1", "stickerId": "2"}),
    ]


@st.composite
def mutated(draw: Any) -> dict[str, Any]:
    ev = copy.deepcopy(draw(st.sampled_from(templates())))
    for _ in range(draw(st.integers(1, 3))):
        path = [ev]
        node: Any = ev
        while isinstance(node, dict) and node and draw(st.booleans()):
            key = draw(st.sampled_from(sorted(node)))
            path.append(node[key])
            node = node[key]
        target = path[-2] if len(path) > 1 and isinstance(path[-2], dict) else ev
        if not isinstance(target, dict) or not target:
            continue
        key = draw(st.sampled_from(sorted(target)))
        action = draw(st.sampled_from(["drop", "replace", "add"]))
        if action == "drop":
            target.pop(key, None)
        elif action == "replace":
            target[key] = draw(junk)
        else:
            target[draw(st.text(min_size=1, max_size=6))] = draw(junk)
    ev["webhookEventId"] = ev.get("webhookEventId") if draw(st.booleans()) else draw(junk)
    return ev


def test_no_mutated_body_gives_a_5xx_and_good_events_still_get_answered(classifier, redis_url, redis_client) -> None:
    bot = RedisBot(classifier, redis_url)
    statuses: list[int] = []
    answered: list[bool] = []

    @seed(20261129)
    @settings(max_examples=500, deadline=None, derandomize=False, suppress_health_check=list(HealthCheck))
    @given(bad=st.lists(mutated(), min_size=1, max_size=3), raw=st.booleans(), junk_body=junk)
    def check(bad: list[dict[str, Any]], raw: bool, junk_body: Any) -> None:
        user = line.uid(next(GOOD))  # a new good user each time (one user's flood is throttled)
        good = line.text(user, "ขอบคุณครับ")
        if raw:  # a body that is not even LINE's shape
            body = json.dumps(junk_body, ensure_ascii=False).encode()
        else:
            events = [*bad, good]
            body = json.dumps({"destination": "U" + "f" * 32, "events": events}, ensure_ascii=False).encode()
        resp = bot.client.post(
            "/callback", data=body, headers={"X-Line-Signature": line.sign(DEV_CHANNEL_SECRET, body)},
            content_type="application/json",
        )  # fmt: skip
        statuses.append(resp.status_code)
        assert resp.status_code < 500, resp.data
        bot.queue.run()
        sent = bot.messenger.take()
        if not raw:
            answered.append(any(t == user and "ยินดีให้บริการ" in texts(m) for _, t, m in sent))

    check()
    assert len(statuses) == 500 and set(statuses) <= {200, 400, 413}
    assert answered and all(answered), f"{answered.count(False)} good events were not answered"
