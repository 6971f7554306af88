"""The real processes of the Procfile (gunicorn web + `python -m bot worker`) against
../shared/tools/linefake and a real redis-server (tests/e2e/stack.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.stack import LINEFAKE, ROOT, Stack

STAFF = "U" + "5" * 32
__all__ = ["ROOT", "STAFF"]


@pytest.fixture(scope="session")
def linefake_dir() -> Path:
    if not (LINEFAKE / "run").exists():
        if os.environ.get("CI"):
            pytest.fail(f"linefake not found at {LINEFAKE}")
        pytest.skip("../shared/tools/linefake is not here")
    sys.path.insert(0, str(LINEFAKE))
    return LINEFAKE


@pytest.fixture(scope="session")
def stack(linefake_dir: Path, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """One web and one worker (two processes), as a platform runs the Procfile."""
    s = Stack(tmp_path_factory.mktemp("e2e"), env={"STAFF_USER_IDS": STAFF, "WORKER_PROCESSES": "2"})
    try:
        s.start()
        yield {"platform": s.platform(0), "api": s.api, "webhook": s.webhook(0), "logs": s.dir, "env": s.env()}
    finally:
        s.stop()


@pytest.fixture
def line(stack) -> Iterator:
    platform = stack["platform"]
    platform.reset()
    yield platform
