"""A whole deployment on this machine for fault tests and the benchmark: its own redis-server
(AOF on, so it can be killed and restarted), ../shared/tools/linefake, N web processes and M
worker processes run from the Procfile's own commands. Each can be killed (SIGKILL, the whole
process group) and started again."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
LINEFAKE = ROOT.parent / "shared" / "tools" / "linefake"
SECRET, TOKEN = "e2e-channel-secret", "E2E_TOKEN"


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


class Stack:
    def __init__(self, workdir: Path, webs: int = 1, workers: int = 1, env: dict[str, str] | None = None,
                 linefake_args: list[str] | None = None) -> None:  # fmt: skip
        self.dir, self.procs = workdir, {}  # type: dict[str, subprocess.Popen[Any]]
        self.redis_port = free_port()
        self.web_ports = [free_port() for _ in range(webs)]
        self.workers = workers
        self.linefake_args = linefake_args or []
        self.extra_env = env or {}

    # -- processes -------------------------------------------------------------------------
    def start(self) -> Stack:
        self.start_redis()
        self.start_linefake()
        for i in range(len(self.web_ports)):
            self.start_web(i)
        for i in range(self.workers):
            self.start_worker(i)
        for port in self.web_ports:
            wait_http(f"http://127.0.0.1:{port}/readyz")
        for i in range(self.workers):
            self.wait_worker(i)
        return self

    def _spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[Any]:
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - open for the life of the process
        p = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = p
        return p

    def start_redis(self) -> None:
        data = self.dir / "redis"
        data.mkdir(exist_ok=True)
        self._spawn("redis", ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "yes", "--appendfsync", "everysec", "--dir", str(data)])  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise TimeoutError("redis-server did not start")

    def start_linefake(self) -> None:
        self.fake_port = free_port()
        cmd = [str(LINEFAKE / "run"), "--port", str(self.fake_port), "--token", TOKEN, "--secret", SECRET,
               "--webhook", self.webhook(0), "--quiet", *self.linefake_args]  # fmt: skip
        self._spawn("linefake", cmd)
        self.api = f"http://127.0.0.1:{self.fake_port}"
        wait_http(self.api + "/__admin/health", 30)

    def env(self, **more: str) -> dict[str, str]:
        env = {
            **os.environ,
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            "LINE_API_BASE_URL": getattr(self, "api", ""),
            "LINE_API_DATA_BASE_URL": getattr(self, "api", ""),
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "USER_HASH_KEY": "e2e-hash-key",
            "CONSOLE_SECRET_KEY": "e2e-console-secret-key-32-characters",
            "METRICS_DIR": str(self.dir / "metrics"),
            "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
            **self.extra_env,
            **more,
        }
        env.pop("EMBEDDED", None)
        return env

    def start_web(self, i: int) -> None:
        self._spawn(f"web{i}", ["bash", "-c", procfile("web")], self.env(PORT=str(self.web_ports[i])))

    def start_worker(self, i: int) -> None:
        self._spawn(f"worker{i}", ["bash", "-c", procfile("worker")], self.env())

    def wait_worker(self, i: int, timeout: float = 90) -> None:
        """Until every process of worker i has loaded its NLU and joined."""
        log = self.dir / f"worker{i}.log"
        processes = int(self.env().get("WORKER_PROCESSES") or os.cpu_count() or 1)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if log.read_text(errors="replace").count("worker ready") >= processes:
                return
            time.sleep(0.1)
        raise TimeoutError(f"worker {i} did not start:\n{log.read_text(errors='replace')[-3000:]}")

    def kill(self, name: str) -> None:
        """SIGKILL to the whole process group: nothing gets to clean up (a machine that dies)."""
        p = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=10)

    def stop(self) -> None:
        for name, p in self.procs.items():
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, signal.SIGTERM if name != "redis" else signal.SIGKILL)
        for p in self.procs.values():
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)

    # -- LINE's side -----------------------------------------------------------------------
    def webhook(self, i: int) -> str:
        return f"http://127.0.0.1:{self.web_ports[i % len(self.web_ports)]}/callback"

    def platform(self, i: int = 0) -> Any:
        sys.path.insert(0, str(LINEFAKE))
        from linefake import Platform

        return Platform(self.webhook(i), SECRET, self.api, timeout=10)

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        req = urllib.request.Request(self.api + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"null")

    def answers(self) -> dict[str, int]:
        """Delivery requests (reply or push) per user: one per answered event."""
        out: dict[str, set[str]] = {}
        for user, entries in self.admin("GET", "/__admin/deliveries").items():
            out[user] = {e["requestId"] for e in entries}
        return {u: len(r) for u, r in out.items()}


def stack(workdir: Path, **kw: Any) -> Iterator[Stack]:
    s = Stack(workdir, **kw)
    try:
        yield s.start()
    finally:
        s.stop()
