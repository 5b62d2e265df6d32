"""A real Prometheus as a child process: temporary storage, a free 127.0.0.1 port.

Used by the end-to-end tests and the preview renderer to run the dashboards'
queries against real scraped pipeline metrics (there is no Grafana server here).
Needs the ``prometheus`` binary (Debian's package; scripts/test installs it).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path

from streams.kafka.broker import free_port


class PrometheusError(RuntimeError):
    """A query Prometheus refused or could not run."""


class LocalPrometheus:
    def __init__(self, targets: list[str], workdir: Path, scrape_interval: str = "1s",
                 rules: str | None = None, alertmanagers: list[str] = ()) -> None:
        """``rules``: the text of a rule file (e.g. alerts/rules.yml) to evaluate every scrape interval;
        ``alertmanagers``: host:port of each Alertmanager its alerts go to."""
        self.targets, self.workdir, self.scrape_interval = targets, workdir, scrape_interval
        self.rules, self.alertmanagers = rules, list(alertmanagers)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "LocalPrometheus":
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError("no `prometheus` binary: apt-get install prometheus (scripts/test does)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        config = self.workdir / "prometheus.yml"
        if self.rules is not None:
            (self.workdir / "rules.yml").write_text(self.rules)
        config.write_text(self._config())
        log = open(self.workdir / "prometheus.log", "wb")
        self.process = subprocess.Popen(
            [binary, f"--config.file={config}", f"--storage.tsdb.path={self.workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=log, stderr=subprocess.STDOUT)
        self._wait_ready()
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def _config(self) -> str:
        targets = json.dumps(self.targets)
        rules = f"rule_files: [{json.dumps(str(self.workdir / 'rules.yml'))}]\n" if self.rules is not None else ""
        if self.alertmanagers:
            rules += f"alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: {json.dumps(self.alertmanagers)}\n"
        return (f"global:\n  scrape_interval: {self.scrape_interval}\n  evaluation_interval: {self.scrape_interval}\n"
                f"{rules}scrape_configs:\n  - job_name: leadsla\n    static_configs:\n      - targets: {targets}\n")

    def _wait_ready(self, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"prometheus not ready after {timeout_s}s: {self.log()}")

    def log(self) -> str:
        path = self.workdir / "prometheus.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def api(self, path: str, **params: object) -> dict:
        """GET /api/v1/<path>; the ``data`` of a success, else PrometheusError with Prometheus's reason."""
        url = f"{self.url}/api/v1/{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                body = json.load(answer)
        except urllib.error.HTTPError as error:
            body = json.load(error)
        if body.get("status") != "success":
            raise PrometheusError(f"{body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str, at: float | None = None) -> list[dict]:
        params = {"query": expr} if at is None else {"query": expr, "time": at}
        return self.api("query", **params)["result"]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[dict]:
        return self.api("query_range", query=expr, start=start, end=end, step=step)["result"]

    def scraped_up(self) -> bool:
        """True once every target has been scraped successfully."""
        results = self.query("up")
        return len(results) == len(self.targets) and all(r["value"][1] == "1" for r in results)
