from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import nlp  # noqa: F401  (PyThaiNLP offline before anything imports it)
from tests.support.harness import Bot
from tests.support.line import uid


@pytest.fixture(scope="session")
def classifier():
    from bot.nlu import LazyClassifier

    return LazyClassifier().start(background=False)


@pytest.fixture
def bot(classifier) -> Bot:
    return Bot(classifier)


@pytest.fixture
def user() -> str:
    return uid(0xA11CE)


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_REDIS_URL is not set: run the tests with `make test` (it starts redis-server)")
        pytest.skip("needs redis-server: run `make test`")
    return url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[object]:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
