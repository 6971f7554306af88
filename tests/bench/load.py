"""Load for `make bench`: signed webhook bodies, wrk for the acknowledgement, a threaded sender
for end to end, and process CPU and memory read from /proc."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import os
import re
import shutil
import subprocess
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

# Messages whose answer is one short text with one quick reply, about the size of the e2e floor's
# reply, so that linefake's validation (most of its cost) weighs the same on both sides.
LIGHT = ["ขอบคุณครับ", "ขอบคุณค่ะ", "ขอบคุณมากครับ", "ขอบใจจ้า"]
# What people ask most (greeting, the menu, a track's cards): heavier answers, reported apart.
MIXED = ["สวัสดีครับ", "เมนู", "ก", "ขอบคุณครับ"]
WRK_LUA = """
local bodies, sigs, i = {}, {}, 0
function init(args)
  for line in io.lines(args[1]) do
    local sig, body = line:match("^([^\\t]+)\\t(.*)$")
    sigs[#sigs + 1] = sig
    bodies[#bodies + 1] = body
  end
end
function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["X-Line-Signature"] = sigs[i]}, bodies[i])
end
"""


class Bodies:
    def __init__(self, secret: str, work: Path, texts: list[str] | None = None) -> None:
        self.secret, self.work, self.n, self.texts = secret.encode(), work, 0, texts or LIGHT

    def sign(self, raw: bytes) -> str:
        return base64.b64encode(hmac.new(self.secret, raw, hashlib.sha256).digest()).decode()

    def event(self, prefix: str, n: int, users: int) -> dict[str, Any]:
        self.n += 1
        user = "U" + hashlib.md5(f"{prefix}{n % users}".encode()).hexdigest()
        eid = prefix.upper() + f"{self.n:0{26 - len(prefix)}d}"  # 26 characters, like LINE's ULIDs
        return {
            "type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
            "source": {"type": "user", "userId": user}, "webhookEventId": eid,
            "deliveryContext": {"isRedelivery": False}, "replyToken": hashlib.md5(eid.encode()).hexdigest(),
            "message": {"type": "text", "id": str(self.n), "quoteToken": "q", "text": self.texts[n % len(self.texts)]},
        }  # fmt: skip

    def ack_file(self, count: int, offset: int = 0) -> Path:
        path = self.work / f"ack-{offset}.tsv"
        with path.open("w", encoding="utf-8") as f:
            for n in range(offset, offset + count):
                raw = json.dumps({"destination": "U" + "0" * 32, "events": [self.event("a", n, 5000)]},
                                 ensure_ascii=False, separators=(",", ":")).encode()  # fmt: skip
                f.write(f"{self.sign(raw)}\t{raw.decode()}\n")
        return path

    def e2e(self, count: int, stack: Any, prefix: str) -> list[dict[str, Any]]:
        """Events registered with linefake first (their reply tokens are then valid)."""
        out = []
        for n in range(count):
            ev = self.event(prefix, n, max(1, count // 4))  # 4 messages per user: under the flood limit
            body = {"destination": "U" + "0" * 32, "events": [ev]}
            raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
            out.append({"raw": raw, "signature": self.sign(raw), "token": ev["replyToken"], "body": body})
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda e: stack.admin("POST", "/__admin/webhooks", {"body": e["body"]}), out))
        return out


def wrk(url: str, bodies: Path, seconds: float) -> tuple[float, float]:
    """(requests per second, p99 in ms) of `wrk -t2 -c32`, signed bodies from the file."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found on PATH. Install it with:  sudo apt-get install -y wrk")
    script = bodies.with_suffix(".lua")
    script.write_text(WRK_LUA, encoding="utf-8")
    run = subprocess.run(["wrk", "-t2", "-c32", f"-d{int(seconds)}s", "--latency", "-s", str(script), url, "--",
                          str(bodies)], capture_output=True, text=True, timeout=seconds + 60)  # fmt: skip
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", run.stdout)
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", run.stdout)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} requests failed\n{run.stdout}")
    return rps, float(p99.group(1)) * unit  # type: ignore[union-attr]


_local = threading.local()


def post(url: str, raw: bytes, signature: str) -> int:
    parts = urllib.parse.urlsplit(url)
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("POST", parts.path, body=raw, headers={"Content-Type": "application/json",
                                                            "X-Line-Signature": signature})  # fmt: skip
        r = conn.getresponse()
        r.read()
        return r.status
    except (OSError, http.client.HTTPException):
        _local.conn = None
        conn.close()
        return 0


def send_all(url: str, events: list[dict[str, Any]], threads: int = 16) -> None:
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda e: post(url, e["raw"], e["signature"]), events))


def processes(pid: int) -> list[int]:
    """A process and all its descendants."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            children = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            children = []
        todo += [int(c) for c in children]
    return out


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        except OSError:
            pass
    return total


def peak_memory(groups: dict[str, list[int]]) -> dict[str, float]:
    """Peak resident memory (VmHWM) of each process, in MB, named by group and pid order."""
    out: dict[str, float] = {}
    for name, pids in groups.items():
        for n, p in enumerate(pids):
            try:
                kb = int(re.search(r"VmHWM:\s+(\d+)", Path(f"/proc/{p}/status").read_text()).group(1))  # type: ignore[union-attr]
            except (OSError, AttributeError):
                continue
            out[f"{name} process {n}"] = kb / 1024
    return out


def write_report(name: str, lines: list[str], summary: str) -> None:
    """reports/<name>: the detail lines, then the summary as the last line; printed too."""
    Path("reports").mkdir(exist_ok=True)
    Path("reports", name).write_text("\n".join([*lines, summary]) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(summary)
