"""A webhook receiver that records what Alertmanager notifies, for tests and the benchmark.

It stands where PagerDuty or Slack would: each notification is kept with its
arrival time (wall clock), and flattened into one ``Received`` per alert.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

PATH = "/alerts"


@dataclass(frozen=True)
class Received:
    arrived_at: float  # Unix time, wall clock
    receiver: str
    status: str  # "firing" or "resolved", of this alert
    labels: dict[str, str]
    annotations: dict[str, str]


class WebhookSink:
    def __init__(self) -> None:
        self._received: list[Received] = []
        self._bodies: list[object] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-sink", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}{PATH}"

    def start(self) -> "WebhookSink":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def bodies(self) -> list[object]:
        """Every JSON document posted, as it came (a digest's ``{"text": ...}`` as well as alerts)."""
        with self._lock:
            return list(self._bodies)

    def received(self) -> list[Received]:
        with self._lock:
            return list(self._received)

    def wait_for(self, done: Callable[[list[Received]], bool], timeout_s: float) -> list[Received]:
        """Poll until ``done(received)``; return what arrived either way."""
        deadline = time.monotonic() + timeout_s
        while not done(self.received()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.received()

    def __enter__(self) -> "WebhookSink":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _record(self, notification: dict) -> None:
        with self._lock:
            self._bodies.append(notification)
        now = time.time()
        receiver = notification.get("receiver", "")
        alerts = [Received(now, receiver, a.get("status", ""), a.get("labels", {}), a.get("annotations", {}))
                  for a in notification.get("alerts", [])]
        with self._lock:
            self._received.extend(alerts)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    sink._record(json.loads(body))
                    self.send_response(200)
                except (ValueError, AttributeError):
                    self.send_response(400)
                self.end_headers()

            def log_message(self, format: str, *args) -> None:  # noqa: A002 - keep test output clean
                pass

        return Handler
