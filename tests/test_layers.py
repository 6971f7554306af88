"""The layers of ARCHITECTURE.md hold: bot above handlers above domain above nlp, handler
modules independent of each other, LINE's SDK, Flask and Redis only in bot (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_lint_imports_keeps_every_contract() -> None:
    run = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports")], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "3 kept, 0 broken" in run.stdout


def test_no_module_is_over_220_lines() -> None:
    long = [
        (str(p.relative_to(ROOT)), n)
        for package in ("bot", "handlers", "domain", "nlp")
        for p in (ROOT / package).rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 220
    ]
    assert not long, f"modules over 220 lines (STYLE.md aims at 50-200): {long}"
