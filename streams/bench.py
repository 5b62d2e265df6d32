"""``leadsla bench``: pipeline throughput against two baselines, on a fresh embedded broker.

One run: generate realistic events (before measuring), produce them to the three
input topics, then measure over the very same records
1. the raw consumer: aiokafka, assigned partitions, JSON decode only;
2. a naive Faust agent writing one table key per event;
3. the pipeline (``create_app``): events through the timeline agent and the tracker.
Both Faust apps run as child processes (``python -m streams.bench naive|pipeline``)
that print a progress line twice a second; a rate is measured from the first event
the child processed to the last, so startup and the group join are excluded.
The pipeline runs with ticks off (the interval is an hour), so every timeline record
the tracker steps over is one input event.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from models.events import SCHEMA_VERSION, ContactAttempt
from streams.codec import encode
from streams.traffic import draw_profile, lead_life, minutes

START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)  # Monday 09:00 New York
SEED = 7
MEAN_ARRIVAL_S = 20.0  # leads convert about every 20 s of event time
GOAL_EPS = 20_000.0
GOAL_VS_NAIVE = 4.0
PROGRESS_EVERY_S = 3.0
CHILD_COMMAND = [sys.executable, "-m", "streams.bench"]
FAST_JOIN = dict(broker_rebalance_timeout=3, broker_session_timeout=6, broker_heartbeat_interval=1)

Record = tuple[str, bytes, bytes, int]  # topic field, key, value, timestamp ms


class BenchError(RuntimeError):
    """A step of the benchmark failed; the message says which and where its log is."""


@dataclass(frozen=True)
class Rate:
    events: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else float("inf")


def run_benchmark(events: int, leads: int) -> int:
    if events < 10 or leads < 1 or leads > events:
        print("leadsla bench: need --events >= 10 and 1 <= --leads <= --events", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="leadsla-bench-"))
    try:
        with ExitStack() as cleanup:
            return _measure_all(events, leads, work, cleanup)
    except KeyboardInterrupt:
        print("\nbench: interrupted; stopped the workers and the broker", file=sys.stderr)
        return 130
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        pass  # shutil.rmtree(work, ignore_errors=True)


def _measure_all(events: int, leads: int, work: Path, cleanup: ExitStack) -> int:
    from streams.admin import ensure_topics
    from streams.broker import EmbeddedBroker
    from streams.settings import Settings
    from streams.topology import topic_specs

    broker = cleanup.enter_context(EmbeddedBroker(log_dir=work))
    token = os.urandom(3).hex()
    settings = Settings(broker=broker.bootstrap, app_id=f"bench-pipeline-{token}", topic_prefix=f"bench-{token}",
                        tick_interval_s=3600.0, metrics_port=0, data_dir=work / "pipeline")
    print(f"bench: embedded broker on {broker.bootstrap}; {events:,} events over {leads:,} leads")
    ensure_topics(settings.bootstrap, topic_specs(settings))
    records = _timed("generate", lambda: _generate(events, leads))
    produced = asyncio.run(_produce(settings.bootstrap, settings.topics, records))
    _report("producer", produced)
    raw = asyncio.run(_consume_raw(settings.bootstrap, settings.topics.inputs, events))
    _report("raw consumer", raw)
    child = dict(broker=settings.bootstrap, inputs=list(settings.topics.inputs), events=events, work=str(work))
    naive = _run_child("naive", dict(child, app_id=f"bench-naive-{token}"), events, work, cleanup)
    _report("naive Faust", naive)
    pipeline = _run_child("pipeline", dict(child, app_id=settings.app_id, prefix=settings.topic_prefix),
                          events, work, cleanup)
    _report("pipeline", pipeline)
    _summary(raw, naive, pipeline)
    return 0


# -- events -------------------------------------------------------------------------


def _generate(events: int, leads: int) -> list[Record]:
    """Realistic lead lives (streams.traffic), padded with follow-up attempts or cut
    in time order to exactly ``events``; returned in event-time order."""
    rng = random.Random(SEED)
    at, lives = START, []
    for number in range(1, leads + 1):
        at += timedelta(seconds=round(rng.expovariate(1 / MEAN_ARRIVAL_S)))
        profile = draw_profile(rng)
        lives.append((profile, lead_life(f"B-{number:07d}", at, profile, rng)))
    missing = events - sum(len(life) for _, life in lives)
    for index, (profile, life) in enumerate(lives):
        for _ in range(missing // leads + (index < missing % leads)):
            life.append(_follow_up(life, profile.rep, rng))
    scheduled = sorted((item for _, life in lives for item in life), key=lambda item: item.at)[:events]
    return [(item.topic, item.key, encode(item.event), round(item.at.timestamp() * 1000)) for item in scheduled]


def _follow_up(life: list, rep: str, rng: random.Random):
    """One more touch, an hour to a day after the lead's last event."""
    last = life[-1]
    event = ContactAttempt(schema_version=SCHEMA_VERSION, event_id=f"{last.event.lead_id}-e{len(life) + 1}",
                           lead_id=last.event.lead_id, occurred_at=last.at + minutes(rng, 60, 24 * 60), rep=rep,
                           channel=rng.choice(("call", "email")),
                           outcome=rng.choice(("no_answer", "voicemail", "connected", "other")))
    return type(last)(event.occurred_at, "attempts", event)


async def _produce(bootstrap: str, topics, records: list[Record]) -> Rate:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024)
    await producer.start()
    try:
        started = last_print = time.monotonic()
        futures = []
        for count, (field, key, value, ts_ms) in enumerate(records, start=1):
            futures.append(await producer.send(getattr(topics, field), value=value, key=key, timestamp_ms=ts_ms))
            last_print = _progress("producing", count, len(records), started, last_print)
        await asyncio.gather(*futures)
        return Rate(len(records), time.monotonic() - started)
    finally:
        await producer.stop()


async def _consume_raw(bootstrap: str, inputs, events: int) -> Rate:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for topic in inputs for p in sorted(consumer.partitions_for_topic(topic))]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        count, first, last, last_print = 0, None, 0.0, time.monotonic()
        deadline = time.monotonic() + 60 + events / 1000
        while count < events:
            if time.monotonic() > deadline:
                raise BenchError(f"raw consumer read only {count:,} of {events:,} events")
            for batch in (await consumer.getmany(timeout_ms=500, max_records=10_000)).values():
                first = first or time.monotonic()
                for record in batch:
                    json.loads(record.value)
                count += len(batch)
                last = time.monotonic()
            last_print = _progress("raw consumer", count, events, first or last_print, last_print)
        return Rate(count, last - first)
    finally:
        await consumer.stop()


# -- Faust workers in child processes -------------------------------------------------


def _run_child(mode: str, config: dict, events: int, work: Path, cleanup: ExitStack) -> Rate:
    log = work / f"{mode}.log"
    with open(log, "wb") as stderr:
        proc = subprocess.Popen([*CHILD_COMMAND, mode, json.dumps(config)],
                                stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True)
    cleanup.callback(_stop_process, proc)
    print(f"bench: {mode} worker started (pid {proc.pid}); waiting for it to join and process")
    latest: dict = {}
    threading.Thread(target=_read_progress, args=(proc, latest), daemon=True).start()
    snap = _watch(mode, proc, latest, events, log)
    if mode == "pipeline":
        _pipeline_detail(snap)
    _stop_process(proc)
    return Rate(snap["n"] - 1, snap["last"] - snap["first"])  # intervals between first and last


def _read_progress(proc: subprocess.Popen, latest: dict) -> None:
    for line in proc.stdout:
        if line.startswith("BENCH "):
            latest.update(json.loads(line[6:]))


def _watch(mode: str, proc: subprocess.Popen, latest: dict, events: int, log: Path) -> dict:
    started = last_print = last_change = time.monotonic()
    seen = -1
    while True:
        time.sleep(0.2)
        snap, now = dict(latest), time.monotonic()
        n = snap.get("n", 0)
        if n >= events:
            return snap
        if proc.poll() is not None:
            raise BenchError(f"{mode} worker exited with code {proc.returncode} after {n:,} events\n{_tail(log)}")
        if n != seen:
            seen, last_change = n, now
        if now - last_change > (60 if n == 0 else 30):
            raise BenchError(f"{mode} worker stalled at {n:,} of {events:,} events\n{_tail(log)}")
        if now - last_print >= PROGRESS_EVERY_S:
            last_print = now
            rate = (n - 1) / (snap["last"] - snap["first"]) if n > 1 and snap["last"] > snap["first"] else 0
            extra = f", routed {snap['routed']:,}" if "routed" in snap else ""
            print(f"  {mode}: {n:,}/{events:,} processed{extra} ({rate:,.0f} ev/s; {now - started:.0f} s)")


def _pipeline_detail(snap: dict) -> None:
    """How much of the run the timeline agent shared the worker with the tracker."""
    routed_at, n_then = snap.get("routed_at"), snap.get("n_at_routed")
    if routed_at is None or n_then is None:
        return
    together = Rate(n_then - 1, routed_at - snap["first"])
    alone = Rate(snap["n"] - n_then, snap["last"] - routed_at)
    print(f"  pipeline: routing all events took {routed_at - snap['routed_first']:.1f} s; tracker "
          f"{together.per_second:,.0f} ev/s while routing, {alone.per_second:,.0f} ev/s after; "
          "")


def _stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # Faust leaves its group cleanly
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _tail(path: Path, lines: int = 20) -> str:
    text = path.read_text(errors="replace").splitlines() if path.exists() else []
    return f"--- last lines of {path} ---\n" + "\n".join(text[-lines:])


# -- output ----------------------------------------------------------------------------


def _timed(label: str, build):
    started = time.monotonic()
    result = build()
    print(f"bench: {label}d {len(result):,} records in {time.monotonic() - started:.1f} s")
    return result


def _progress(label: str, count: int, total: int, started: float, last_print: float) -> float:
    now = time.monotonic()
    if now - last_print < PROGRESS_EVERY_S or count >= total:
        return last_print
    print(f"  {label}: {count:,}/{total:,} ({count / max(now - started, 1e-9):,.0f}/s)")
    return now


def _report(label: str, rate: Rate) -> None:
    print(f"bench: {label}: {rate.events:,} events in {rate.seconds:.2f} s = {rate.per_second:,.0f} ev/s")


def _summary(raw: Rate, naive: Rate, pipeline: Rate) -> None:
    p = pipeline.per_second
    rows = [("raw consumer (aiokafka + JSON decode)", raw.per_second), ("naive Faust agent (table write)",
            naive.per_second), ("pipeline (timeline agent + tracker)", p)]
    print("\n" + "-" * 60)
    for label, value in rows:
        print(f"{label:<42}{value:>12,.0f} ev/s")
    print(f"{'pipeline / raw':<42}{p / raw.per_second:>12.2f} x")
    print(f"{'pipeline / naive':<42}{p / naive.per_second:>12.2f} x")
    print("-" * 60)
    print(f"goal: {GOAL_EPS:,.0f} ev/s per worker: {'met' if p >= GOAL_EPS else 'NOT met'}; "
          f">= {GOAL_VS_NAIVE:g}x naive: {'met' if p >= GOAL_VS_NAIVE * naive.per_second else 'NOT met'}")


# -- the child process: one Faust worker that reports its progress on stdout -------------


class _Progress:
    """Events processed, and the monotonic times of the first and the last."""

    def __init__(self) -> None:
        self.n, self.first, self.last = 0, 0.0, 0.0

    def hit(self) -> None:
        self.last = time.monotonic()
        self.first = self.first or self.last
        self.n += 1


def _child_main(mode: str, config: dict) -> int:
    import faust

    done, extra = _Progress(), {}
    app = _naive_app(config, done) if mode == "naive" else _pipeline_app(config, done, extra)
    out = os.fdopen(os.dup(1), "w", buffering=1)  # Faust's worker redirects sys.stdout to its log
    threading.Thread(target=_report_forever, args=(out, done, extra, config["events"]), daemon=True).start()
    worker = faust.Worker(app, loglevel="warn", logfile=str(Path(config["work"]) / f"{mode}-faust.log"), quiet=True)
    try:
        worker.execute_from_commandline()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _report_forever(out, done: _Progress, extra: dict, target: int) -> None:
    while True:
        time.sleep(0.5)
        n = done.n  # read first: first/last then belong to n or later events
        print("BENCH " + json.dumps(dict(extra, n=n, first=done.first, last=done.last)), file=out)
        if n >= target:
            os.kill(os.getpid(), signal.SIGTERM)  # Faust's worker stops cleanly on SIGTERM
            return


def _naive_app(config: dict, done: _Progress):
    import faust

    app = faust.App(config["app_id"], broker=f"kafka://{config['broker']}", store="memory://", web_enabled=False,
                    topic_partitions=4, datadir=str(Path(config["work"]) / "naive"),
                    consumer_auto_offset_reset="earliest", **FAST_JOIN)
    inputs = app.topic(*config["inputs"], key_serializer="raw", value_serializer="raw")
    table = app.Table("naive-latest", partitions=4, key_type=bytes, value_type=bytes)

    @app.agent(inputs, name="naive", concurrency=1)
    async def naive(stream):
        async for event in stream.events():
            table[event.key] = event.value
            done.hit()

    return app


def _pipeline_app(config: dict, tracked: _Progress, extra: dict):
    from streams.app import create_app
    from streams.metrics import PipelineMetrics
    from streams.policy_source import load_policy
    from streams.settings import Settings

    class CountingMetrics(PipelineMetrics):
        def observe_step(self, partition, result) -> None:  # once per timeline record the tracker stepped
            super().observe_step(partition, result)
            tracked.hit()

    metrics, routed = CountingMetrics(), _Progress()
    metrics.events = _Tap(metrics.events, routed, tracked, config["events"], extra)
    settings = Settings(broker=config["broker"], app_id=config["app_id"], topic_prefix=config["prefix"],
                        tick_interval_s=3600.0, metrics_port=0, data_dir=Path(config["work"]) / "pipeline")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return create_app(settings, load_policy(None), metrics=metrics)


class _Tap:
    """Wraps the routed-events counter: ``labels()`` is called once per routed event."""

    def __init__(self, counter, routed: _Progress, tracked: _Progress, target: int, extra: dict) -> None:
        self.counter, self.routed, self.tracked, self.target, self.extra = counter, routed, tracked, target, extra

    def labels(self, *args):
        self.routed.hit()
        self.extra.update(routed=self.routed.n, routed_first=self.routed.first)
        if self.routed.n == self.target:
            self.extra.update(routed_at=self.routed.last, n_at_routed=self.tracked.n)
        return self.counter.labels(*args)


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1], json.loads(sys.argv[2])))
