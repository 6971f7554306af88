"""The RQ job entry point. The worker process installs its runtime before taking jobs."""

from __future__ import annotations

from collections.abc import Callable

from bot.store import Store

_runtime: tuple[Store, Callable[[str], None]] | None = None


def install(store: Store, process: Callable[[str], None]) -> None:
    global _runtime
    _runtime = (store, process)


def run_user(uh: str) -> None:
    from bot.worker import drain

    if _runtime is None:
        raise RuntimeError("worker runtime not installed: start with `python -m bot worker`")
    store, process = _runtime
    drain(store, uh, process)
