"""A real Alertmanager as a child process on 127.0.0.1, for tests and the benchmark.

There is no init system and no Docker on the build machines: the Debian binary
``prometheus-alertmanager`` runs with a temporary storage path, clustering off
(one replica), and a config written by the caller. ``stop`` and ``start`` again
keep the port, so a test can take it down during a breach and bring it back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from streams.kafka.broker import free_port

BINARY = "prometheus-alertmanager"
READY_TIMEOUT_S = 20.0


class AlertmanagerStartError(RuntimeError):
    """The Alertmanager binary is missing, or it did not become ready."""


def alertmanager_binary() -> str | None:
    return shutil.which(BINARY)


class LocalAlertmanager:
    def __init__(self, config_text: str, workdir: Path, port: int | None = None) -> None:
        self.workdir = Path(workdir)
        self.port = port or free_port()
        self.config_path = self.workdir / "alertmanager.yml"
        self.log_path = self.workdir / f"alertmanager-{self.port}.log"
        self.config_path.parent.mkdir(parents=True, exist_ok=True)
        self.config_path.write_text(config_text)
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LocalAlertmanager":
        binary = alertmanager_binary()
        if binary is None:
            raise AlertmanagerStartError(f"{BINARY} is not installed (apt-get install prometheus-alertmanager)")
        storage = self.workdir / "storage"
        storage.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self._process = subprocess.Popen(
            [binary, f"--config.file={self.config_path}", f"--storage.path={storage}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--cluster.listen-address=", "--log.level=info"],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self._wait_ready()
        return self

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def active_alerts(self) -> list[dict]:
        """Alerts Alertmanager holds now (``GET /api/v2/alerts``)."""
        with urllib.request.urlopen(f"{self.url}/api/v2/alerts", timeout=5) as response:
            return json.loads(response.read())

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def __enter__(self) -> "LocalAlertmanager":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                raise AlertmanagerStartError(f"alertmanager exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise AlertmanagerStartError(f"alertmanager not ready within {READY_TIMEOUT_S:g}s:\n{self.log_tail()}")
