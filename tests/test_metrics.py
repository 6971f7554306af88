"""GET /metrics: Prometheus text, webhooks by outcome and acknowledgement time; only from this
machine without a token, only with the Bearer token when METRICS_TOKEN is set."""

from __future__ import annotations

from bot.settings import load_settings
from tests.support import line
from tests.support.harness import Bot


def test_metrics_count_webhooks_by_outcome_and_are_local_only(bot: Bot, user: str) -> None:
    bot.say(user, "สวัสดีครับ")
    bot.post(line.text(user, "x"), signature="forged")
    text = bot.client.get("/metrics").get_data(as_text=True)
    assert 'dip_webhooks_total{outcome="ok"}' in text and 'dip_webhooks_total{outcome="forged"}' in text
    assert "dip_ack_seconds_bucket" in text and 'dip_mode_info{mode="local"' in text
    assert user not in text
    remote = bot.client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert remote.status_code == 403


def test_with_a_token_metrics_need_it(classifier) -> None:
    bot = Bot(classifier)
    bot.settings = load_settings(_env_file=None, METRICS_TOKEN="scrape-me")
    bot.client.application.extensions["dip"].settings = bot.settings
    assert bot.client.get("/metrics").status_code == 401
    assert bot.client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    ok = bot.client.get("/metrics", headers={"Authorization": "Bearer scrape-me"},
                        environ_base={"REMOTE_ADDR": "203.0.113.9"})  # fmt: skip
    assert ok.status_code == 200 and "dip_webhooks_total" in ok.get_data(as_text=True)


def test_a_worker_only_host_serves_its_metrics_on_metrics_port(tmp_path, redis_client) -> None:
    import socket
    import urllib.error
    import urllib.request

    from bot.metrics_view import serve_worker_metrics

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = load_settings(_env_file=None, METRICS_PORT=port, METRICS_TOKEN="scrape-me", METRICS_DIR=str(tmp_path))
    (tmp_path / "worker").mkdir()
    server = serve_worker_metrics(settings, redis_client)
    try:
        url = f"http://127.0.0.1:{port}/metrics"
        try:
            urllib.request.urlopen(url, timeout=5)
            raise AssertionError("served without the token")
        except urllib.error.HTTPError as e:
            assert e.code == 401
        req = urllib.request.Request(url, headers={"Authorization": "Bearer scrape-me"})
        with urllib.request.urlopen(req, timeout=5) as r:
            text = r.read().decode()
        assert "dip_queue_depth" in text and "dip_consumers_live" in text
    finally:
        server.shutdown()
