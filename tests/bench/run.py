"""`make bench`: the bot against its floors on this machine, in one run (docs/performance.md).

Starts its own redis-server, ../shared/tools/linefake, the Procfile's web and worker, and the two
floors under the same gunicorn settings (tests/bench/floor.py). Measures:
- ack: wrk posting signed bodies (unique events) for ACK_SECONDS to our web (no worker running,
  so nothing else uses the CPU) and to the ack floor: requests/s and p99;
- e2e: E2E_EVENTS events sent as fast as a 16-thread sender can, until every reply is recorded
  at linefake, for ours and for the e2e floor: events/s at saturation;
- latency: 50 events/s for LATENCY_SECONDS, webhook sent to reply recorded at linefake: p95;
- worker CPU per event (user + system time of all worker processes / events answered) and the
  peak memory (VmHWM) of each process.
The last line is the summary the reliability issue asks for.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.bench.load import MIXED, Bodies, cpu_seconds, peak_memory, processes, send_all, write_report, wrk
from tests.e2e.stack import SECRET, Stack, free_port, procfile

ACK_SECONDS = float(os.environ.get("BENCH_ACK_SECONDS", 24))
ROUNDS = 3
E2E_EVENTS = int(os.environ.get("BENCH_E2E_EVENTS", 1200))
LATENCY_SECONDS = float(os.environ.get("BENCH_LATENCY_SECONDS", 20))
GUNICORN = procfile("web").removeprefix("exec ").split("'bot:create_app()'")[0]  # the Procfile's settings


def floor(stack: Stack, which: str) -> tuple[subprocess.Popen[Any], str]:
    port = free_port()
    cmd = f"exec {GUNICORN}'tests.bench.floor:{which}_app()'".replace("${PORT:-8000}", str(port))
    p = stack._spawn(f"floor-{which}", ["bash", "-c", cmd], stack.env(PORT=str(port)))
    wait_http_post(f"http://127.0.0.1:{port}/callback")
    return p, f"http://127.0.0.1:{port}/callback"


def wait_http_post(url: str) -> None:
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"), timeout=1)
        except urllib.error.HTTPError:
            return  # 400: it answers
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(url)


def stop(p: subprocess.Popen[Any]) -> None:
    import signal

    os.killpg(p.pid, signal.SIGTERM)
    p.wait(timeout=20)


def replies_done(stack: Stack, tokens: set[str], timeout: float) -> dict[str, float]:
    """Reply token -> time its reply (or push for that event) was recorded at linefake."""
    seen: dict[str, float] = {}
    since, deadline = 0, time.monotonic() + timeout
    while len(seen) < len(tokens) and time.monotonic() < deadline:
        for r in stack.admin("GET", f"/__admin/requests?since={since}"):
            since = max(since, r["seq"])
            token = (r.get("body") or {}).get("replyToken")
            if r["path"].endswith("/reply") and r["status"] == 200 and token in tokens:
                seen[token] = datetime.fromisoformat(r["time"].replace("Z", "+00:00")).timestamp()
        time.sleep(0.3)
    return seen


def main() -> int:
    out: dict[str, Any] = {}
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    stack = Stack(work, webs=1, workers=0)
    stack.start()
    try:
        bodies = Bodies(SECRET, work)
        # 1. acknowledgement: ours (no worker yet) and the floor, same bodies, same wrk, taking
        # turns (ROUNDS times) so that a busy moment of the machine does not favour either.
        floor_p, floor_url = floor(stack, "ack")
        floors, ours = [], []
        seconds = ACK_SECONDS / ROUNDS
        for n in range(ROUNDS):
            floors.append(wrk(floor_url, bodies.ack_file(40_000, offset=n * 80_000), seconds))
            ours.append(wrk(stack.webhook(0), bodies.ack_file(40_000, offset=n * 80_000 + 40_000), seconds))
        stop(floor_p)
        out["floor_rps"], out["floor_p99_ms"] = median(floors)
        out["ack_rps"], out["ack_p99_ms"] = median(ours)
        out["ack_rounds"] = " ".join(f"{f:.0f}/{o:.0f}" for (f, _), (o, _) in zip(floors, ours, strict=True))
        stack.admin("POST", "/__admin/reset", {})
        _redis(stack).flushall()
        # 2. end to end at saturation, taking turns: the floor, then ours (worker started once).
        floor_p, floor_url = floor(stack, "e2e")
        stack.start_worker(0)
        stack.wait_worker(0)
        workers = processes(stack.procs["worker0"].pid)
        fake = processes(stack.procs["linefake"].pid)
        floors_e2e, ours_e2e, cpu, fake_cpu, answered = [], [], 0.0, 0.0, 0
        for n in range(ROUNDS):
            floors_e2e.append(saturate(stack, floor_url, bodies.e2e(E2E_EVENTS, stack, prefix=f"f{n}"))[0])
            before, fake_before = cpu_seconds(workers), cpu_seconds(fake)
            rps, done = saturate(stack, stack.webhook(0), bodies.e2e(E2E_EVENTS, stack, prefix=f"o{n}"))
            ours_e2e.append(rps)
            cpu, answered = cpu + cpu_seconds(workers) - before, answered + done
            fake_cpu += cpu_seconds(fake) - fake_before
        stop(floor_p)
        out["e2e_floor_rps"], out["e2e_rps"] = sorted(floors_e2e)[ROUNDS // 2], sorted(ours_e2e)[ROUNDS // 2]
        out["e2e_rounds"] = " ".join(f"{f:.0f}/{o:.0f}" for f, o in zip(floors_e2e, ours_e2e, strict=True))
        out["e2e_answered"] = f"{answered}/{ROUNDS * E2E_EVENTS}"
        out["worker_cpu_ms"] = 1000 * cpu / max(1, answered)
        out["linefake_cpu_ms"] = 1000 * fake_cpu / max(1, answered)  # its cost per answer (the floor pays it too)
        # the same with what people ask most (heavier answers: menus, cards), for the record
        mixed = Bodies(SECRET, work, MIXED)
        before, fake_before = cpu_seconds(workers), cpu_seconds(fake)
        out["e2e_mixed_rps"], done = saturate(stack, stack.webhook(0), mixed.e2e(E2E_EVENTS // 2, stack, prefix="m"))
        out["worker_cpu_ms_mixed"] = 1000 * (cpu_seconds(workers) - before) / max(1, done)
        out["linefake_cpu_ms_mixed"] = 1000 * (cpu_seconds(fake) - fake_before) / max(1, done)
        # 3. latency at 50 events/s.
        events = bodies.e2e(int(50 * LATENCY_SECONDS), stack, prefix="l")
        sent = paced(stack.webhook(0), events, 50.0)
        done = replies_done(stack, {e["token"] for e in events}, 60)
        lat = sorted(done[e["token"]] - sent[e["token"]] for e in events if e["token"] in done)
        out["e2e_p95_ms"] = 1000 * lat[int(0.95 * (len(lat) - 1))] if lat else float("inf")
        out["latency_answered"] = f"{len(lat)}/{len(events)}"
        out["memory_mb"] = peak_memory({"web": processes(stack.procs["web0"].pid), "worker": workers})
    finally:
        stack.stop()
    out["ack_ratio"] = out["ack_rps"] / out["floor_rps"]
    out["e2e_ratio"] = out["e2e_rps"] / out["e2e_floor_rps"] if out["e2e_floor_rps"] else 0.0
    report(out)
    return 0


def saturate(stack: Stack, url: str, events: list[dict[str, Any]]) -> tuple[float, int]:
    """(events answered per second from the first send to the last reply, events answered)."""
    started = time.time()
    send_all(url, events, threads=16)
    done = replies_done(stack, {e["token"] for e in events}, 300)
    return (len(done) / (max(done.values()) - started) if done else 0.0), len(done)


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The run with the median throughput (its p99 with it)."""
    return sorted(runs)[len(runs) // 2]


def paced(url: str, events: list[dict[str, Any]], rate: float) -> dict[str, float]:
    from tests.bench.load import post

    sent: dict[str, float] = {}
    start = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        for i, e in enumerate(events):
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            sent[e["token"]] = time.time()
            pool.submit(post, url, e["raw"], e["signature"])
    return sent


def _redis(stack: Stack) -> Any:
    import redis

    return redis.Redis(port=stack.redis_port)


def report(out: dict[str, Any]) -> None:
    lines = [f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}" for k, v in out.items() if k != "memory_mb"]
    lines += [f"peak memory {name}: {mb:.0f} MB" for name, mb in out["memory_mb"].items()]
    summary = (
        f"ack_rps={out['ack_rps']:.0f} floor_rps={out['floor_rps']:.0f} ack_ratio={out['ack_ratio']:.2f} "
        f"ack_p99_ms={out['ack_p99_ms']:.1f} e2e_rps={out['e2e_rps']:.1f} e2e_floor_rps={out['e2e_floor_rps']:.1f} "
        f"e2e_ratio={out['e2e_ratio']:.2f} e2e_p95_ms={out['e2e_p95_ms']:.0f} worker_cpu_ms={out['worker_cpu_ms']:.2f}"
    )
    write_report("bench.txt", lines, summary)


if __name__ == "__main__":
    sys.exit(main())
