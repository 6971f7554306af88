"""The factory builds per role: the Redis-mode web process stays small."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import sys
from bot import create_app
app = create_app()
heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pythainlp', 'sklearn', 'linebot', 'nlp', 'handlers'})
print('heavy=' + ','.join(heavy))
"""


def test_importing_the_package_does_no_work() -> None:
    run = subprocess.run(
        [sys.executable, "-c", "import bot, handlers, nlp.classifier; print('ok')"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert run.stdout.strip() == "ok", run.stderr


def test_the_web_process_in_redis_mode_loads_no_nlu_sdk_or_handlers() -> None:
    env = {"PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:1/0",  # never contacted at start-up
           "LINE_CHANNEL_SECRET": "s3cret", "USER_HASH_KEY": "k3y"}  # fmt: skip
    run = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, env=env, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("heavy="), run.stdout
