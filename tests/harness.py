"""Test harness: a real ``leadsla worker`` process per test, on unique topics.

The worker runs as a subprocess, as a user would run it, so a test can also
kill it (-9) and start it again.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

from models.outcomes import Outcome
from streams.kafka.admin import ensure_topics, produce, read_topic
from streams.kafka.codec import encode
from streams.runtime.settings import Settings
from streams.runtime.topology import topic_specs

T = TypeVar("T")
REPO = Path(__file__).resolve().parent.parent


@dataclass
class Pipeline:
    """Names and settings of one test's pipeline; workers are started on demand."""

    settings: Settings
    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: list[subprocess.Popen] = field(default_factory=list)
    started: int = 0  # workers ever started: each gets its own log, a restart included

    def create_topics(self) -> None:
        ensure_topics(self.settings.bootstrap, topic_specs(self.settings))

    def env(self) -> dict[str, str]:
        s = self.settings
        env = dict(os.environ, LEADSLA_BROKER=s.bootstrap, LEADSLA_APP_ID=s.app_id,
                   LEADSLA_TOPIC_PREFIX=s.topic_prefix, LEADSLA_PARTITIONS=str(s.partitions),
                   LEADSLA_TICK_INTERVAL=str(s.tick_interval_s), LEADSLA_FETCH_WAIT=str(s.fetch_wait_s),
                   LEADSLA_METRICS_PORT=str(s.metrics_port), LEADSLA_DATA_DIR=str(self.workdir / "data"), LEADSLA_LOG_LEVEL="info",
                   PYTHONPATH=str(REPO))
        if s.outcomes_topic:
            env["LEADSLA_OUTCOMES_TOPIC"] = s.outcomes_topic
        if s.policy_path:
            env["LEADSLA_POLICY"] = str(s.policy_path)
        return {**env, **self.extra_env}

    def start_worker(self, own_data_dir: bool = False) -> subprocess.Popen:
        """``own_data_dir``: a worker of several gets its own, as on another machine."""
        log = open(self.workdir / f"worker-{self.started}.log", "wb")
        env = self.env()
        if own_data_dir:
            env["LEADSLA_DATA_DIR"] = str(self.workdir / f"data-{self.started}")
        self.started += 1
        process = subprocess.Popen([sys.executable, "-m", "streams.cli", "worker"], env=env,
                                   stdout=log, stderr=subprocess.STDOUT, cwd=self.workdir)
        self.workers.append(process)
        return process

    def stop_worker(self, process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
        """Stop one worker (it leaves the group cleanly on SIGTERM)."""
        process.send_signal(sig)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.workers.remove(process)

    def stop_workers(self, sig: int = signal.SIGTERM) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(sig)
        for process in self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.workers.clear()

    def produce_events(self, events) -> None:
        """Each event to its kind's topic, keyed by lead id, in the given order per topic."""
        topics = self.settings.topics
        by_kind = {"lead_converted": topics.conversions, "handoff": topics.handoffs,
                   "contact_attempt": topics.attempts, "deal_closed": topics.deals}
        batches: dict[str, list[tuple[bytes, bytes]]] = {}
        for event in events:
            batches.setdefault(by_kind[event.kind], []).append((event.lead_id.encode(), encode(event)))
        for topic, records in batches.items():
            produce(self.settings.bootstrap, topic, records)

    def produce_raw(self, topic: str, key: bytes | None, value: bytes) -> None:
        produce(self.settings.bootstrap, topic, [(key, value)])

    def outcomes(self) -> list[Outcome]:
        records = read_topic(self.settings.bootstrap, self.settings.topics.outcomes)
        return [Outcome.model_validate_json(r.value) for r in records]

    def worker_logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in sorted(self.workdir.glob("worker-*.log")))


def wait_for(probe: Callable[[], T], done: Callable[[T], bool], timeout_s: float = 60, every_s: float = 0.5) -> T:
    """Poll ``probe`` until ``done(value)``; return the last value either way (the
    test's own assertion then says what was missing)."""
    deadline = time.monotonic() + timeout_s
    value = probe()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(every_s)
        value = probe()
    return value


def has_numbers(results: list[dict]) -> bool:
    """At least one series with a number: NaN (0/0) draws nothing on a panel either."""
    return any(math.isfinite(float(r["value"][1])) for r in results)
