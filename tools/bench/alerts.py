"""``leadsla bench-alerts``: latency from a lead's deadline to its breach page at a webhook.

Everything real, on this machine: the embedded broker, a ``leadsla worker`` process
with default settings (tick every 1s, fetch wait 0.1s; LEADSLA_TICK_INTERVAL and
LEADSLA_FETCH_WAIT change them), allowed lateness 5s as in the example policy,
delivery to Alertmanager API v2, a real Alertmanager routing with the generated
config, and a webhook receiver where PagerDuty would be. Background traffic (lead
handoffs and contact attempts, some leads never called, so other alerts flow too)
runs throughout. Probe leads are handed off "now", one every half second; each
breach page's arrival at the webhook minus its deadline is one sample.

The latency is dominated by the allowed lateness: a deadline is decided only once
the watermark (latest tick - lateness) passes it. The split is printed too:
deadline -> the tick that passes it on its topic (seen by a consumer of the benchmark's
own) -> breach outcome on its topic -> page at the webhook.
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from contextlib import ExitStack
from datetime import datetime, timedelta, timezone
from pathlib import Path

from alerts.generate import alertmanager_text
from models.events import ContactAttempt, LeadHandoff
from models.outcomes import Outcome
from models.policy_file import parse_policy
from streams.kafka.codec import decode_timeline, encode
from streams.kafka.partitioning import partition_for
from tools.local.alertmanager import LocalAlertmanager, alertmanager_binary
from tools.local.webhook_sink import WebhookSink

LATENESS_S = 5.0  # as in BENCH_POLICY
GOAL_P99_S = LATENESS_S + 2.0  # the allowed lateness + 2 s: the target
WATCH_FETCH_WAIT_MS = 20  # the tick watcher's own fetch wait: arrivals seen within this
TARGET = timedelta(seconds=20)
PROBE_EVERY_S = 0.5
RECENT_LEADS = 500
BENCH_POLICY = """
version: 1
allowed_lateness: 5s   # as in the example policy
default_calendar: always
calendars:
  always:
    timezone: UTC
    hours: {mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"],
            fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"]}
teams:
  bench: {calendar: always}
segments:
  - name: probe
    match: {segment: probe}
    speed_to_lead: {target: 20s, clock: 24x7, warn_before: 10s, escalations: [{after: 1h, notify: manager}]}
  - name: background
    match: {}
    speed_to_lead: {target: 30s, clock: 24x7, warn_before: 10s, escalations: [{after: 30s, notify: manager}]}
"""


def run_alert_benchmark(probes: int, background_eps: float) -> int:
    if alertmanager_binary() is None:
        print("bench-alerts: prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)",
              file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="leadsla-bench-alerts-"))
    with ExitStack() as cleanup:
        try:
            return _measure(probes, background_eps, work, cleanup)
        except KeyboardInterrupt:
            print("\nbench-alerts: interrupted", file=sys.stderr)
            return 130


def _measure(probes: int, background_eps: float, work: Path, cleanup: ExitStack) -> int:
    from streams.kafka.broker import EmbeddedBroker

    broker = cleanup.enter_context(EmbeddedBroker(log_dir=work))
    sink = cleanup.enter_context(WebhookSink())
    policy_path = work / "policy.yaml"
    policy_path.write_text(BENCH_POLICY)
    alertmanager = cleanup.enter_context(
        LocalAlertmanager(alertmanager_text(parse_policy(BENCH_POLICY), webhook_url=sink.url), work / "am"))
    settings = _settings(broker.bootstrap, policy_path, work)
    _say(f"embedded broker {broker.bootstrap}, Alertmanager {alertmanager.url} (generated routing), "
         f"worker: tick {settings.tick_interval_s:g}s, fetch wait {settings.fetch_wait_s:g}s, "
         f"allowed lateness {LATENESS_S:g}s; logs in {work}")
    _start_worker(settings, alertmanager.url, work, cleanup)
    producer = _producer(settings.bootstrap)
    cleanup.callback(producer.close)
    _wait_live(settings, producer)
    stop = threading.Event()
    cleanup.callback(stop.set)
    ticks = _TickWatch(settings, stop)
    if background_eps > 0:
        threading.Thread(target=_background, args=(settings, background_eps, stop), daemon=True).start()
    _say(f"background traffic {background_eps:g} events/s; {probes} probe leads, deadline {TARGET.seconds}s "
         f"after handoff, one every {PROBE_EVERY_S:g}s")
    deadlines = _send_probes(settings, producer, probes)
    pages = _wait_pages(sink, deadlines)
    decided = _decided_at(settings, deadlines)
    passed = {lead: at for lead in deadlines
              if (at := ticks.passed_at(partition_for(lead, settings.partitions), deadlines[lead])) is not None}
    return _report(deadlines, pages, decided, passed)


def _settings(bootstrap: str, policy_path: Path, work: Path):
    from streams.kafka.admin import ensure_topics
    from streams.runtime.settings import Settings, settings_from_env
    from streams.runtime.topology import topic_specs

    token = os.urandom(3).hex()
    tuned = settings_from_env()  # LEADSLA_TICK_INTERVAL and LEADSLA_FETCH_WAIT, to compare settings
    settings = Settings(broker=bootstrap, app_id=f"bench-alerts-{token}", topic_prefix=f"bench-alerts-{token}",
                        policy_path=policy_path, metrics_port=0, data_dir=work / "data",
                        tick_interval_s=tuned.tick_interval_s, fetch_wait_s=tuned.fetch_wait_s)
    ensure_topics(settings.bootstrap, topic_specs(settings))
    return settings


def _start_worker(settings, alertmanager_url: str, work: Path, cleanup: ExitStack) -> None:
    env = dict(os.environ, LEADSLA_BROKER=settings.bootstrap, LEADSLA_APP_ID=settings.app_id,
               LEADSLA_TOPIC_PREFIX=settings.topic_prefix, LEADSLA_POLICY=str(settings.policy_path),
               LEADSLA_METRICS_PORT="0", LEADSLA_DATA_DIR=str(settings.data_dir),
               LEADSLA_ALERTMANAGERS=alertmanager_url, LEADSLA_TICK_INTERVAL=str(settings.tick_interval_s),
               LEADSLA_FETCH_WAIT=str(settings.fetch_wait_s))
    log = open(work / "worker.log", "wb")
    worker = subprocess.Popen([sys.executable, "-m", "streams.cli", "worker"], env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    cleanup.callback(_stop, worker, log)


def _stop(worker: subprocess.Popen, log) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


def _producer(bootstrap: str):
    from kafka import KafkaProducer

    return KafkaProducer(bootstrap_servers=bootstrap.split(","), acks=1, linger_ms=5)


def _send(producer, topic: str, event) -> None:
    producer.send(topic, key=event.lead_id.encode(), value=encode(event),
                  timestamp_ms=round(event.occurred_at.timestamp() * 1000))


def _handoff(lead: str, at: datetime, segment: str, action: str = "assign") -> LeadHandoff:
    owner = dict(owner_rep="rep-bench", team="bench") if action == "assign" else {}
    return LeadHandoff(schema_version=1, event_id=f"{lead}-{action}", lead_id=lead, occurred_at=at,
                       action=action, segment=segment if action == "assign" else None, **owner)


def _wait_live(settings, producer, timeout_s: float = 90) -> None:
    """Until the worker decides deadlines: a lead handed off and returned an hour ago comes out returned."""
    from streams.kafka.admin import read_topic

    hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    _send(producer, settings.topics.handoffs, _handoff("warmup", hour_ago, "warmup"))
    _send(producer, settings.topics.handoffs, _handoff("warmup", hour_ago + timedelta(seconds=1), "", "return"))
    producer.flush()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if any(b'"returned"' in r.value for r in read_topic(settings.bootstrap, settings.topics.outcomes)):
            return
        time.sleep(0.5)
    raise SystemExit(f"bench-alerts: the worker did not come up in {timeout_s:g}s; see {settings.data_dir.parent}")


def _background(settings, eps: float, stop: threading.Event) -> None:
    """Handoffs (a fifth of the events) and contact attempts on recent leads, in real time."""
    producer, rng = _producer(settings.bootstrap), random.Random(7)
    recent: deque[str] = deque(maxlen=RECENT_LEADS)
    count, per_tick = 0, max(1, round(eps / 10))
    while not stop.wait(0.1):
        now = datetime.now(timezone.utc)
        for _ in range(per_tick):
            count += 1
            if not recent or rng.random() < 0.2:
                recent.append(f"BG-{count}")
                _send(producer, settings.topics.handoffs, _handoff(recent[-1], now, "bg"))
            else:
                lead = rng.choice(recent)
                _send(producer, settings.topics.attempts, ContactAttempt(
                    schema_version=1, event_id=f"{lead}-a{count}", lead_id=lead, occurred_at=now, rep="rep-bench",
                    channel="call", outcome=rng.choice(("no_answer", "connected"))))
    producer.close()


def _send_probes(settings, producer, probes: int) -> dict[str, datetime]:
    deadlines = {}
    for number in range(probes):
        lead, now = f"PROBE-{number:04d}", datetime.now(timezone.utc)
        _send(producer, settings.topics.handoffs, _handoff(lead, now, "probe"))
        producer.flush()
        deadlines[lead] = now + TARGET
        time.sleep(PROBE_EVERY_S)
    return deadlines


def _wait_pages(sink: WebhookSink, deadlines: dict[str, datetime]) -> dict[str, float]:
    """Lead -> arrival (Unix time) of its first breach page; waits until all arrived or 60s after the last deadline."""
    def pages(received) -> dict[str, float]:
        found: dict[str, float] = {}
        for r in received:
            if r.status == "firing" and r.labels.get("alertname") == "LeadSLABreached":
                found.setdefault(r.labels.get("lead_id", ""), r.arrived_at)
        return {lead: at for lead, at in found.items() if lead in deadlines}

    wait = (max(deadlines.values()) - datetime.now(timezone.utc)).total_seconds() + 60
    return pages(sink.wait_for(lambda got: len(pages(got)) == len(deadlines), wait))


def _decided_at(settings, deadlines: dict[str, datetime]) -> dict[str, float]:
    """Lead -> when its breach outcome was written to the outcomes topic (record timestamp)."""
    from streams.kafka.admin import read_topic

    decided = {}
    for record in read_topic(settings.bootstrap, settings.topics.outcomes):
        outcome = Outcome.model_validate_json(record.value)
        if outcome.kind == "breached" and outcome.lead_id in deadlines:
            decided[outcome.lead_id] = record.timestamp / 1000
    return decided


class _TickWatch:
    """Arrival (Unix time) of each tick on its topic, read as it comes in a thread of its own."""

    def __init__(self, settings, stop: threading.Event) -> None:
        from kafka import KafkaConsumer, TopicPartition

        from streams.kafka.clients import open_client

        self._arrivals: dict[int, list[tuple[datetime, float]]] = {}
        self._lock = threading.Lock()
        self._consumer = open_client(KafkaConsumer, settings.bootstrap, group_id=None, enable_auto_commit=False,
                                     fetch_max_wait_ms=WATCH_FETCH_WAIT_MS)
        tps = [TopicPartition(settings.topics.ticks, p) for p in range(settings.partitions)]
        self._consumer.assign(tps)
        self._consumer.seek_to_end(*tps)
        threading.Thread(target=self._run, args=(stop,), daemon=True).start()

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            for records in self._consumer.poll(timeout_ms=100).values():
                arrived = time.time()
                with self._lock:
                    for record in records:
                        tick = decode_timeline(record.value)
                        self._arrivals.setdefault(tick.partition, []).append((tick.at, arrived))
        self._consumer.close(autocommit=False)

    def passed_at(self, partition: int, deadline: datetime) -> float | None:
        """When the first tick of ``partition`` that moves its watermark past ``deadline`` arrived."""
        due = deadline + timedelta(seconds=LATENESS_S)
        with self._lock:
            return next((arrived for at, arrived in self._arrivals.get(partition, ()) if at >= due), None)


def _report(deadlines: dict[str, datetime], pages: dict[str, float], decided: dict[str, float],
            passed: dict[str, float]) -> int:
    latency = sorted(pages[lead] - deadlines[lead].timestamp() for lead in pages)
    to_outcome = sorted(decided[lead] - deadlines[lead].timestamp() for lead in decided)
    to_page = sorted(pages[lead] - decided[lead] for lead in pages if lead in decided)
    if not latency:
        _say("no breach page arrived at the webhook: see the worker and Alertmanager logs")
        return 1
    _say(f"deadline -> breach page at the webhook: p50 {_pct(latency, 50):.2f}s  p99 {_pct(latency, 99):.2f}s  "
         f"max {latency[-1]:.2f}s  ({len(latency)}/{len(deadlines)} arrived)")
    if to_outcome and to_page:
        _say(f"  of which deadline -> breach outcome: p50 {_pct(to_outcome, 50):.2f}s p99 {_pct(to_outcome, 99):.2f}s;"
             f" outcome -> webhook: p50 {_pct(to_page, 50):.2f}s p99 {_pct(to_page, 99):.2f}s")
    _say_stages(deadlines, pages, decided, passed)
    met = _pct(latency, 99) <= GOAL_P99_S and len(latency) == len(deadlines)
    _say(f"goal p99 <= {GOAL_P99_S:g}s (allowed lateness + 2 s) with every page delivered: "
         f"{'met' if met else 'MISSED'}")
    return 0 if len(latency) == len(deadlines) else 1


def _say_stages(deadlines: dict[str, datetime], pages: dict[str, float], decided: dict[str, float],
                passed: dict[str, float]) -> None:
    """deadline -> passing tick on its topic -> breach outcome written -> page at the webhook."""
    leads = [lead for lead in pages if lead in decided and lead in passed]
    if not leads:
        return
    stages = {"deadline -> passing tick": [passed[x] - deadlines[x].timestamp() for x in leads],
              "tick -> outcome": [decided[x] - passed[x] for x in leads],
              "outcome -> webhook": [pages[x] - decided[x] for x in leads]}
    _say("  stages (p50/p99): " + "; ".join(
        f"{name} {_pct(sorted(v), 50):.2f}/{_pct(sorted(v), 99):.2f}s" for name, v in stages.items()))


def _pct(values: list[float], percent: float) -> float:
    """Nearest-rank percentile of sorted values."""
    return values[max(0, math.ceil(percent / 100 * len(values)) - 1)]


def _say(text: str) -> None:
    print(f"bench-alerts: {text}", flush=True)
