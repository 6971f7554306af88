"""Logging: one JSON object per line in production (a log pipeline reads fields, not prose),
plain lines locally. Messages carry event IDs and masked chat IDs, never a full user ID, a
token, a phone number or message text (tests/test_logs.py reads a whole conversation's logs)."""

from __future__ import annotations

import json
import logging
import sys
import time


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            out["error"] = self.formatException(record.exc_info)[-2000:]
        return json.dumps(out, ensure_ascii=False)


_OURS: list[logging.Handler] = []


def setup_logging(level: str = "INFO", json_lines: bool = False) -> None:
    """Our one stderr handler (replacing the one set earlier, leaving others such as pytest's)."""
    handler = logging.StreamHandler(sys.stderr)
    plain = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(JsonLines() if json_lines else plain)
    root = logging.getLogger()
    for old in _OURS:
        root.removeHandler(old)
    _OURS[:] = [handler]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("urllib3", "rq.worker", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
