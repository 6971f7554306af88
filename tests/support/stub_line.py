"""A scripted LINE API on localhost for the messenger's unit tests (linefake does the e2e)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubLine:
    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, Any], float]] = []  # (status, body, delay s)
        self.requests: list[dict[str, Any]] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "body": json.loads(body)})
                if self.path.endswith("/loading/start"):
                    status, payload, delay = 202, {}, 0  # the animation: never scripted
                else:
                    ok = (200, {"sentMessages": [{"id": "1", "quoteToken": "q"}]}, 0)
                    status, payload, delay = stub.script.pop(0) if stub.script else ok
                time.sleep(delay)
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def paths(self, loading: bool = False) -> list[str]:
        """Request paths, without LINE's loading animation unless asked."""
        return [r["path"] for r in self.requests if loading or not r["path"].endswith("/loading/start")]

    def close(self) -> None:
        self.server.shutdown()
