"""The real processes of the Procfile (gunicorn web + `python -m bot worker`) against
../shared/tools/linefake and a real redis-server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINEFAKE = ROOT.parent / "shared" / "tools" / "linefake"
SECRET, TOKEN = "e2e-channel-secret", "E2E_TOKEN"
STAFF = "U" + "5" * 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def procfile(role: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == role:
            return "exec " + command.strip()
    raise KeyError(f"Procfile has no {role} process")


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="session")
def linefake_dir() -> Path:
    if not (LINEFAKE / "run").exists():
        if os.environ.get("CI"):
            pytest.fail(f"linefake not found at {LINEFAKE}")
        pytest.skip("../shared/tools/linefake is not here")
    sys.path.insert(0, str(LINEFAKE))
    return LINEFAKE


@pytest.fixture(scope="session")
def stack(linefake_dir: Path, redis_url: str, tmp_path_factory) -> Iterator[dict]:
    logs = tmp_path_factory.mktemp("e2e")
    web_port = free_port()
    webhook = f"http://127.0.0.1:{web_port}/callback"
    fake = subprocess.Popen(
        [
            str(linefake_dir / "run"),
            "--port",
            "0",
            "--token",
            TOKEN,
            "--secret",
            SECRET,
            "--webhook",
            webhook,
            "--quiet",
            "--log",
            str(logs / "linefake.jsonl"),
        ],
        stdout=subprocess.PIPE,
        stderr=open(logs / "linefake.err", "w"),
        text=True,
    )
    ready = fake.stdout.readline().strip() if fake.stdout else ""
    assert ready.startswith("linefake listening on "), f"linefake did not start: {ready!r}"
    api = ready.removeprefix("linefake listening on ")
    env = {
        **os.environ,
        "LINE_CHANNEL_SECRET": SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE_URL": api,
        "LINE_API_DATA_BASE_URL": api,
        "REDIS_URL": redis_url.rsplit("/", 1)[0] + "/3",
        "STAFF_USER_IDS": STAFF,
        "PORT": str(web_port),
        "USER_HASH_KEY": "e2e-hash-key",
        "WORKER_PROCESSES": "2",
        "METRICS_DIR": str(logs / "metrics"),
    }
    env.pop("EMBEDDED", None)
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    # The Procfile's own commands, as a platform would run them.
    web, worker = (
        subprocess.Popen(
            ["bash", "-c", procfile(role)],
            cwd=ROOT,
            env=env,
            stdout=open(logs / f"{role}.log", "w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        for role in ("web", "worker")
    )
    try:
        wait_http(f"http://127.0.0.1:{web_port}/readyz")
        wait_http(api + "/__admin/health")
        from linefake import Platform

        platform = Platform(webhook, SECRET, api)
        platform.wait_worker = lambda: _wait_worker(logs / "worker.log")  # type: ignore[attr-defined]
        platform.wait_worker()
        yield {"platform": platform, "api": api, "webhook": webhook, "logs": logs, "env": env}
    finally:
        for p in (web, worker, fake):
            p.terminate()
        for p in (web, worker, fake):
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


def _wait_worker(log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if "worker ready" in log.read_text(errors="replace"):
            return
        time.sleep(0.2)
    raise TimeoutError(f"the worker did not start:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def line(stack) -> Iterator:
    platform = stack["platform"]
    platform.reset()
    yield platform
