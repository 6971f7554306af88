"""`make bench-broadcast` (also run by `make bench`): a broadcast to 100,000 subscribers against a
bare client sending the same 200 multicasts to the same linefake (docs/performance.md, Broadcast).

Starts its own stack (tests/e2e/stack.py: redis-server with AOF, linefake without latency or
faults, the Procfile's web and worker with their default settings: BROADCAST_RPS 200,
BROADCAST_CONCURRENCY 4) and writes SUBSCRIBERS users straight into Redis as the worker stores a
follower: `dip:user:{uh}` (LINE ID, following) and the segment index (`dip:{seg}:all` and the
user's `dip:{seg}:of:{uh}`). One untimed broadcast warms the processes up, then ROUNDS rounds, in
turns whose order rotates:
- ours: POST /api/broadcasts (ADMIN_API_TOKEN) to everyone ({} segment), timed from sending that
  request to the record's `ended_at` (status `done`, sent == SUBSCRIBERS): the web counts, checks
  the quota, freezes the recipients and enqueues the job; the worker's broadcast process (RQ
  SimpleWorker) sends the batches from BROADCAST_CONCURRENCY threads under the shared limiter;
- bare: the same 200 multicasts (the `to` lists and body linefake recorded from ours, a fresh
  X-Line-Retry-Key each) from BROADCAST_CONCURRENCY threads on keep-alive urllib3 connections,
  as fast as they go, timed from the first send to the last answer;
- sdk: the same through line-bot-sdk's MessagingApi.multicast (our client, without Redis): how
  much of the gap is the SDK's.
linefake is reset before each; after each it must hold exactly SUBSCRIBERS distinct recipients,
each once, in multicasts of at most 500, all answered 200 without violations. The medians make
the summary line (the last line; reports/bench-broadcast.txt). BENCH_BROADCAST_PYSPY=<file>
records py-spy's samples (--gil, collapsed stacks) of the broadcast process over the rounds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.bench.load import cpu_seconds, processes, write_report
from tests.e2e.stack import TOKEN, Stack

SUBSCRIBERS = int(os.environ.get("BENCH_BROADCAST_SUBSCRIBERS", 100_000))
ROUNDS = int(os.environ.get("BENCH_BROADCAST_ROUNDS", 3))
PYSPY = os.environ.get("BENCH_BROADCAST_PYSPY")  # a file: py-spy's samples of the broadcast process
ADMIN = "bench-admin-token"
HASH_KEY = b"e2e-hash-key"  # the stack's USER_HASH_KEY
TEXT = "อบรมแปรรูปข้าว 5 ธ.ค. 2569 ที่ ศภ.5 รับ 30 ราย สมัครพิมพ์ สมัคร"
MULTICAST = "/v2/bot/message/multicast"
BATCH = 500
READY = re.compile(r"broadcast sender ready: process (\d+)")
# Taken from the Procfile's defaults, whatever the caller's environment says.
DEFAULTS_ONLY = ("BROADCAST_RPS", "BROADCAST_CONCURRENCY", "BROADCAST_QUIET_HOURS", "BROADCAST_APPROVAL",
                 "BROADCAST_QUEUE", "WORKER_PROCESSES", "WORKER_THREADS", "ADMIN_API_TOKEN")  # fmt: skip


def settings_of(stack: Stack) -> Any:
    """The settings the stack's processes read (their environment and .env)."""
    from bot.settings import load_settings

    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(stack.env())
        return load_settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def subscribers(r: Any, n: int) -> dict[str, str]:
    """n active subscribers as the worker stores a follower who has not consented (yet): the user
    record, `all`, and the user's `of` set naming it. LINE ID -> HMAC key."""
    from bot.ids import user_key
    from bot.store.base import SEGMENT_ALL, segment_of

    ids = ["U" + hashlib.md5(f"bench-subscriber-{k}".encode()).hexdigest() for k in range(n)]
    users = {uid: user_key(HASH_KEY, uid) for uid in ids}
    items = list(users.items())
    pipe = r.pipeline(transaction=False)
    for i in range(0, n, 2000):
        chunk = items[i : i + 2000]
        pipe.mset({f"dip:user:{uh}": json.dumps({"v": 1, "id": uid, "following": True, "lang": "th"},
                                                ensure_ascii=False) for uid, uh in chunk})  # fmt: skip
        pipe.sadd(SEGMENT_ALL, *(uh for _, uh in chunk))
        for _, uh in chunk:
            pipe.sadd(segment_of(uh), SEGMENT_ALL)
        pipe.execute()
    return users


def api(base: str, method: str, path: str, payload: Any = None) -> Any:
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": f"Bearer {ADMIN}", "Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def multicasts(stack: Stack) -> list[dict[str, Any]]:
    """Every multicast linefake recorded since its reset (about 4 MB of JSON for 100,000)."""
    return [q for q in stack.admin("GET", "/__admin/requests?since=0") if q["path"] == MULTICAST]


def check(reqs: list[dict[str, Any]], everyone: set[str], who: str) -> dict[str, Any]:
    """Exactly the subscribers, each once, in valid multicasts of at most 500 answered 200."""
    got: Counter[str] = Counter()
    for q in reqs:
        got.update(q["body"]["to"])
    sizes = Counter(len(q["body"]["to"]) for q in reqs)
    bad = [q["seq"] for q in reqs if q["status"] != 200 or q["violations"]]
    per_second = Counter(int(ts(q["time"])) for q in reqs)
    problems = []
    if bad:
        problems.append(f"{len(bad)} multicasts not 200 or with violations")
    if max(sizes, default=0) > BATCH:
        problems.append(f"a multicast of {max(sizes)} recipients")
    if set(got) != everyone:
        problems.append(f"{len(set(got) - everyone)} unknown and {len(everyone - set(got))} missing recipients")
    twice = sum(1 for n in got.values() if n > 1)
    if twice:
        problems.append(f"{twice} recipients served more than once")
    if problems:
        raise SystemExit(f"{who}: linefake did not get each subscriber exactly once: {'; '.join(problems)}")
    elapsed = sorted(q["elapsedMs"] for q in reqs)
    return {"requests": len(reqs), "recipients": sum(got.values()), "distinct": len(got), "sizes": dict(sizes),
            "max_per_second": max(per_second.values(), default=0),
            "fake_ms": elapsed[len(elapsed) // 2]}  # fmt: skip


class Bench:
    def __init__(self, stack: Stack, r: Any, groups: dict[str, list[int]], everyone: set[str], threads: int) -> None:
        self.stack, self.r, self.groups, self.everyone, self.threads = stack, r, groups, everyone, threads
        self.base = f"http://127.0.0.1:{stack.web_ports[0]}"
        self.template: dict[str, Any] = {}
        self.batches: list[list[str]] = []

    def cpu(self) -> dict[str, float]:
        return {name: cpu_seconds(pids) for name, pids in self.groups.items()}

    def ours(self) -> dict[str, Any]:
        from bot.broadcast.records import ENDED, Broadcasts

        self.stack.admin("POST", "/__admin/reset", {})
        self.r.config_resetstat()
        cpu = self.cpu()
        began = time.time()
        made = api(self.base, "POST", "/api/broadcasts", {"text": TEXT, "segment": {}})
        answered = time.time()
        deadline = time.monotonic() + 300
        while True:
            rec = Broadcasts(self.r).get(made["id"]) or {}
            if rec["status"] in ENDED:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"broadcast {made['id']} not done within 300 s: {rec}")
            time.sleep(0.01)
        cpu = {name: s - cpu[name] for name, s in self.cpu().items()}
        calls = {k.removeprefix("cmdstat_"): v["calls"] for k, v in self.r.info("commandstats").items()}
        n = len(self.everyone)
        counts = {k: rec[k] for k in ("status", "targeted", "sent", "skipped", "failed", "batches")}
        if counts != {"status": "done", "targeted": n, "sent": n, "skipped": 0, "failed": 0, "batches": -(-n // BATCH)}:
            raise SystemExit(f"broadcast {made['id']} ended {counts}")
        reqs = sorted(multicasts(self.stack), key=lambda q: q["seq"])
        self.template = {k: v for k, v in reqs[0]["body"].items() if k != "to"}  # the body we sent
        self.batches = [q["body"]["to"] for q in reqs]
        times = [ts(q["time"]) for q in reqs]
        return {
            "seconds": ts(rec["ended_at"]) - began, **check(reqs, self.everyone, "ours"), "cpu": cpu, "redis": calls,
            "create_s": answered - began,  # the API request: count, quota, resolve, freeze, enqueue
            "first_s": min(times) - answered,  # its answer -> first multicast recorded at linefake
            "send_s": max(times) - min(times),  # first multicast -> last, as linefake recorded them
            "tail_s": ts(rec["ended_at"]) - max(times),  # last multicast -> the record says done
        }  # fmt: skip

    def bare(self) -> dict[str, Any]:
        """The same multicasts as fast as `threads` keep-alive urllib3 connections go."""
        import urllib3

        host, port = self.stack.api.removeprefix("http://").split(":")
        pool = urllib3.HTTPConnectionPool(host, int(port), maxsize=self.threads, block=True, retries=False,
                                          timeout=30)  # fmt: skip

        def send(to: list[str]) -> int:
            body = json.dumps({**self.template, "to": to}, ensure_ascii=False).encode()
            return pool.request("POST", MULTICAST, body=body, headers={
                "Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json",
                "X-Line-Retry-Key": str(uuid.uuid4())}).status  # fmt: skip

        try:
            return self._client("bare", send)
        finally:
            pool.close()

    def sdk(self) -> dict[str, Any]:
        """The same multicasts through line-bot-sdk's MessagingApi, as the broadcast process sends them."""
        from linebot.v3.messaging import MessagingApi, MulticastRequest

        from bot.messenger.line import make_client

        line = MessagingApi(make_client(self.stack.api, TOKEN))

        def send(to: list[str]) -> int:
            request = MulticastRequest.from_dict({**self.template, "to": to})
            line.multicast(request, x_line_retry_key=str(uuid.uuid4()), _request_timeout=30)
            return 200  # anything else raises

        return self._client("sdk", send)

    def _client(self, who: str, send: Callable[[list[str]], int]) -> dict[str, Any]:
        self.stack.admin("POST", "/__admin/reset", {})
        todo, lock, statuses = iter(self.batches), threading.Lock(), []

        def work() -> None:
            while True:
                with lock:
                    to = next(todo, None)
                if to is None:
                    return
                statuses.append(send(to))

        cpu, own = self.cpu(), time.process_time()
        began = time.perf_counter()
        with ThreadPoolExecutor(self.threads) as ex:
            for f in [ex.submit(work) for _ in range(self.threads)]:
                f.result()
        seconds = time.perf_counter() - began
        cpu = {**{name: s - cpu[name] for name, s in self.cpu().items()}, "client": time.process_time() - own}
        if Counter(statuses) != {200: len(self.batches)}:
            raise SystemExit(f"{who} client: answers {dict(Counter(statuses))}")
        return {"seconds": seconds, **check(multicasts(self.stack), self.everyone, who), "cpu": cpu}


def pyspy(pid: int, path: str) -> subprocess.Popen[Any]:
    """py-spy sampling the broadcast process while it holds the GIL (collapsed stacks in `path`)."""
    cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), "--gil", "--rate", "100",
           "--format", "raw", "-o", path]  # fmt: skip
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)  # attached
    return p


def main() -> int:
    for name in DEFAULTS_ONLY:
        os.environ.pop(name, None)
    import redis

    work = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    stack = Stack(work, webs=1, workers=1, env={"ADMIN_API_TOKEN": ADMIN})
    out: dict[str, Any] = {"loadavg_before": " ".join(Path("/proc/loadavg").read_text().split()[:3])}
    runs: dict[str, list[dict[str, Any]]] = {"ours": [], "bare": [], "sdk": []}
    stack.start()
    try:
        settings = settings_of(stack)
        if settings.BROADCAST_RPS < 200:
            raise SystemExit(f"BROADCAST_RPS is {settings.BROADCAST_RPS} (.env?): the bench runs at LINE's 200")
        out["broadcast_rps_limit"] = settings.BROADCAST_RPS
        out["broadcast_concurrency"] = settings.BROADCAST_CONCURRENCY
        r = redis.Redis(port=stack.redis_port)
        deadline = time.monotonic() + 60
        while not READY.search((work / "worker0.log").read_text(errors="replace")):
            if time.monotonic() > deadline:
                raise SystemExit("the worker's broadcast process did not start")
            time.sleep(0.1)
        sender = int(READY.findall((work / "worker0.log").read_text(errors="replace"))[-1])
        groups = {"broadcast process": processes(sender), "linefake": processes(stack.procs["linefake"].pid),
                  "redis": [stack.procs["redis"].pid], "web": processes(stack.procs["web0"].pid)}  # fmt: skip
        started = time.perf_counter()
        users = subscribers(r, SUBSCRIBERS)
        out["subscribers"] = SUBSCRIBERS
        out["subscribers_write_s"] = time.perf_counter() - started
        bench = Bench(stack, r, groups, set(users), settings.BROADCAST_CONCURRENCY)
        with ThreadPoolExecutor(8) as pool:  # both gunicorn processes have answered (their first request is slow)
            list(pool.map(lambda _: api(bench.base, "POST", "/api/segments/preview", {"segment": {}}), range(32)))
        warm = bench.ours()  # fresh processes: imports, the first job, the SDK's connections
        out["warm_up_s"] = f"{warm['seconds']:.2f} (create {warm['create_s']:.2f})"
        spy = pyspy(sender, PYSPY) if PYSPY else None
        order = ["ours", "bare", "sdk"]
        for n in range(ROUNDS):
            for who in order[n % 3 :] + order[: n % 3]:
                runs[who].append(getattr(bench, who)())
        if spy is not None:
            spy.send_signal(signal.SIGINT)  # py-spy writes its file and ends
            spy.wait(timeout=60)
    finally:
        stack.stop()
    out["loadavg_after"] = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    report(out, runs)
    return 0


def median(runs: list[dict[str, Any]]) -> float:
    return float(sorted(x["seconds"] for x in runs)[len(runs) // 2])


def report(out: dict[str, Any], runs: dict[str, list[dict[str, Any]]]) -> None:
    ours_s, bare_s, sdk_s = median(runs["ours"]), median(runs["bare"]), median(runs["sdk"])
    batches = runs["ours"][0]["requests"]
    lines = [f"{k}: {v:.2f}" if isinstance(v, float) else f"{k}: {v}" for k, v in out.items()]
    lines.append(f"broadcast_sdk_s: {sdk_s:.2f} (line-bot-sdk client, no Redis; sdk_ratio {bare_s / sdk_s:.2f})")
    for n in range(len(runs["ours"])):
        m = runs["ours"][n]
        lines.append(
            f"round {n + 1}: ours {m['seconds']:.2f} s = create {m['create_s']:.2f} + to first multicast "
            f"{m['first_s']:.2f} + sending {m['send_s']:.2f} + to done {m['tail_s']:.2f}; "
            + "; ".join(f"{who} {runs[who][n]['seconds']:.2f} s" for who in ("bare", "sdk"))
        )
        for who in ("ours", "bare", "sdk"):
            x = runs[who][n]
            cpu = " ".join(f"{name.replace(' ', '_')}={1000 * s / x['requests']:.1f}" for name, s in x["cpu"].items())
            lines.append(f"  {who}: {x['requests'] / x['seconds']:.1f} multicasts/s, linefake answers in "
                         f"{x['fake_ms']:.1f} ms (median); CPU ms per multicast: {cpu}; linefake got "
                         f"{x['recipients']} recipients, {x['distinct']} distinct, sizes {x['sizes']}, at most "
                         f"{x['max_per_second']} in one second")  # fmt: skip
        calls = m["redis"]
        per = {k: v / m["requests"] for k, v in calls.items() if not k.startswith("config")}
        lines.append(
            f"  ours: Redis commands per multicast {sum(per.values()):.1f} (get {per.get('get', 0):.1f}, "
            f"transactions {per.get('exec', 0):.2f}, watch {per.get('watch', 0):.2f}, "
            f"evalsha {per.get('evalsha', 0):.2f}: 2 batch steps and the limiter)"
        )
    summary = (
        f"broadcast_100k_s={ours_s:.2f} broadcast_bare_s={bare_s:.2f} broadcast_ratio={bare_s / ours_s:.2f} "
        f"broadcast_rps={batches / ours_s:.1f} broadcast_bare_rps={batches / bare_s:.1f} "
        f"broadcast_rps_limit={out['broadcast_rps_limit']:.0f}"
    )
    write_report("bench-broadcast.txt", lines, summary)


if __name__ == "__main__":
    sys.exit(main())
