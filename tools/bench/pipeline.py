"""``leadsla bench``: the pipeline's throughput against two baselines, on a fresh embedded broker.

Realistic events are produced to the three input topics before anything is measured; then,
over those records: the raw consumer (aiokafka, JSON decode only), a naive Faust agent (a
table write per event) and the pipeline as ``create_app`` builds it. The Faust apps run as
child processes (``python -m tools.bench.pipeline naive|pipeline``) reporting progress on stdout.
A rate runs from a stage's first processed event to its last, so startup and the group join
are excluded; a stage out of its wall-clock budget is measured over the events it got to.
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
from streams.kafka.codec import encode
from streams.simulator.traffic import ScheduledEvent, draw_profile, lead_life, minutes

START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)  # Monday 09:00 New York
SEED, MEAN_ARRIVAL_S = 7, 20.0  # a lead converts about every 20 s of event time
GOAL_EPS, GOAL_VS_NAIVE = 20_000.0, 4.0
PROGRESS_EVERY_S = 3.0
BUDGET_S = {"naive": 60.0, "pipeline": 90.0}  # wall time per Faust stage, startup included
FAST_JOIN = dict(broker_rebalance_timeout=3, broker_session_timeout=6, broker_heartbeat_interval=1)

Record = tuple[str, bytes, bytes, int]  # TopicNames field, key, value, timestamp in ms


class BenchError(RuntimeError):
    """A stage failed; the message says which, with the tail of its log."""


@dataclass(frozen=True)
class Rate:
    events: int
    seconds: float
    complete: bool = True  # False: the stage ran out of its time budget

    @property
    def per_second(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0


def run_benchmark(events: int, leads: int, *, bootstrap: str | None = None) -> int:
    """0 when every stage was measured, goals met or not. ``bootstrap``: use that broker
    instead of a fresh embedded one (topics and consumer groups are fresh either way)."""
    if events < 10 or not 1 <= leads <= events:
        print("leadsla bench: need --events >= 10 and 1 <= --leads <= --events", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="leadsla-bench-"))
    previous = signal.signal(signal.SIGTERM, _interrupt)  # a kill cleans up like Ctrl-C
    try:
        with ExitStack() as cleanup:  # stops the workers, then the broker
            return _measure_all(events, leads, work, cleanup, bootstrap)
    except KeyboardInterrupt:
        print("\nbench: interrupted; workers and broker stopped", file=sys.stderr)
        return 130
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(work, ignore_errors=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _measure_all(events: int, leads: int, work: Path, cleanup: ExitStack, bootstrap: str | None) -> int:
    from streams.kafka.admin import ensure_topics
    from streams.kafka.broker import EmbeddedBroker
    from streams.runtime.settings import Settings
    from streams.runtime.topology import topic_specs

    if bootstrap is None:
        bootstrap = cleanup.enter_context(EmbeddedBroker(log_dir=work)).bootstrap
    token = os.urandom(3).hex()
    settings = Settings(broker=bootstrap, app_id=f"bench-pipeline-{token}", topic_prefix=f"bench-{token}")
    print(f"bench: {events:,} events over {leads:,} leads to {settings.topic_prefix}.* on {bootstrap}")
    ensure_topics(settings.bootstrap, topic_specs(settings))
    records = _generate(events, leads)
    _report("producer", asyncio.run(_produce(settings.bootstrap, settings.topics, records)))
    raw = asyncio.run(_consume_raw(settings.bootstrap, settings.topics.inputs, events))
    _report("raw consumer", raw)
    child = dict(broker=settings.bootstrap, inputs=list(settings.topics.inputs), events=events, work=str(work))
    naive = _run_child("naive", dict(child, app_id=f"bench-naive-{token}"), cleanup)
    pipeline = _run_child("pipeline", dict(child, app_id=settings.app_id, prefix=settings.topic_prefix), cleanup)
    _summary(raw, naive, pipeline, events)
    return 0


# -- events and the two plain-Kafka stages ---------------------------------------------------------


def _generate(events: int, leads: int) -> list[Record]:
    """Realistic lead lives (streams.simulator.traffic), padded with follow-up attempts or cut in
    time order to exactly ``events``; in event-time order, as a CRM would send them."""
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


def _follow_up(life: list[ScheduledEvent], rep: str, rng: random.Random) -> ScheduledEvent:
    """One more touch, an hour to a day after the lead's last event."""
    last = life[-1]
    event = ContactAttempt(schema_version=SCHEMA_VERSION, event_id=f"{last.event.lead_id}-e{len(life) + 1}",
                           lead_id=last.event.lead_id, occurred_at=last.at + minutes(rng, 60, 24 * 60), rep=rep,
                           channel=rng.choice(("call", "email")),
                           outcome=rng.choice(("no_answer", "voicemail", "connected", "other")))
    return ScheduledEvent(event.occurred_at, "attempts", event)


async def _produce(bootstrap: str, topics, records: list[Record]) -> Rate:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024)
    await producer.start()
    try:
        started = time.monotonic()
        await asyncio.gather(*[await producer.send(getattr(topics, field), value=value, key=key, timestamp_ms=ts)
                               for field, key, value, ts in records])
        return Rate(len(records), time.monotonic() - started)
    finally:
        await producer.stop()


async def _consume_raw(bootstrap: str, inputs, events: int) -> Rate:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(t, p) for t in inputs for p in consumer.partitions_for_topic(t)])
        await consumer.seek_to_beginning()
        count, first, last, deadline = 0, 0.0, 0.0, time.monotonic() + 60 + events / 1000
        while count < events:
            if time.monotonic() > deadline:
                raise BenchError(f"raw consumer read only {count:,} of {events:,} events")
            for batch in (await consumer.getmany(timeout_ms=500, max_records=10_000)).values():
                first = first or time.monotonic()
                for record in batch:
                    json.loads(record.value)
                count, last = count + len(batch), time.monotonic()
        return Rate(count, last - first)
    finally:
        await consumer.stop()


# -- the parent's side of the Faust stages -------------------------------------------------------


def _run_child(mode: str, config: dict, cleanup: ExitStack) -> Rate:
    events, log = config["events"], Path(config["work"]) / f"{mode}.log"
    with open(log, "wb") as stderr:  # a session of its own: Ctrl-C reaches only us, and we stop it
        proc = subprocess.Popen([sys.executable, "-m", "tools.bench.pipeline", mode, json.dumps(config)],
                                stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True)
    cleanup.callback(_stop_process, proc)
    print(f"bench: {mode} worker started (pid {proc.pid}, budget {BUDGET_S[mode]:.0f} s)")
    latest: dict = {}
    reader = threading.Thread(target=_read_progress, args=(proc, latest), daemon=True)
    reader.start()
    snap = _watch(mode, proc, reader, latest, events, log)
    _stop_process(proc)
    n, first, last = snap["main"]
    rate = Rate(n - 1, last - first, complete=n >= events)  # n events: n - 1 intervals
    _report(f"{mode} ({'all' if rate.complete else 'time budget: the first'} {n:,} events)", rate)
    if mode == "pipeline":
        _pipeline_detail(snap, events)
    return rate


def _read_progress(proc: subprocess.Popen, latest: dict) -> None:
    for line in proc.stdout:
        _, marker, payload = line.partition("BENCH ")  # Faust's spinner may prefix terminal codes
        if marker:
            latest.update(json.loads(payload))


def _watch(mode: str, proc: subprocess.Popen, reader: threading.Thread, latest: dict, events: int,
           log: Path) -> dict:
    started = last_print = last_change = time.monotonic()
    seen = -1
    while True:
        time.sleep(0.2)
        if proc.poll() is not None:
            reader.join(timeout=2)  # its last lines
        snap, now = dict(latest), time.monotonic()
        n, first, last = snap.get("main", (0, 0.0, 0.0))
        if n >= events or (now - started > BUDGET_S[mode] and n >= 2):
            return snap
        if proc.poll() is not None:
            raise BenchError(f"{mode} worker exited with code {proc.returncode} after {n:,} events\n{_tail(log)}")
        seen, last_change = (n, now) if n != seen else (seen, last_change)
        if now - last_change > (60 if n == 0 else 30):
            raise BenchError(f"{mode} worker stalled at {n:,} of {events:,} events\n{_tail(log)}")
        if now - last_print >= PROGRESS_EVERY_S:
            last_print, rate = now, (n - 1) / (last - first) if n > 1 and last > first else 0
            routed = f", routed {snap['routed'][0]:,}" if "routed" in snap else ""
            print(f"  {mode}: {n:,}/{events:,} processed{routed} ({rate:,.0f} ev/s; {now - started:.0f} s)")


def _pipeline_detail(snap: dict, events: int) -> None:
    """Both agents share one event loop: how fast the first went, and end to end."""
    (n, first, last), (routed, routed_first, routed_last) = snap["main"], snap["routed"]
    print(f"  timeline agent: {routed:,} events routed at {(routed - 1) / (routed_last - routed_first):,.0f} ev/s; "
          f"the tracker began {first - routed_first:.1f} s after the first was routed")
    if n >= events:
        print(f"  end to end (first routed -> last tracked): {Rate(n, last - routed_first).per_second:,.0f} ev/s")


def _stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # Faust's worker leaves its group cleanly
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _tail(log: Path, lines: int = 15) -> str:
    """The end of the child's stderr and of its Faust log (where crashed agents are reported)."""
    paths = [log, log.with_name(log.stem + "-faust.log")]
    return "".join(f"--- last lines of {path} ---\n" + "\n".join(path.read_text(errors="replace")
                   .splitlines()[-lines:]) + "\n" for path in paths if path.exists())


def _report(label: str, rate: Rate) -> None:
    print(f"bench: {label}: {rate.events:,} in {rate.seconds:.2f} s = {rate.per_second:,.0f} ev/s")


def _summary(raw: Rate, naive: Rate, pipeline: Rate, events: int) -> None:
    p = pipeline.per_second
    print("\n" + "-" * 64)
    for label, rate in (("raw consumer (aiokafka + JSON decode)", raw),
                        ("naive Faust agent (table write per event)", naive),
                        ("pipeline (timeline agent + tracker)", pipeline)):
        print(f"{label:<44}{rate.per_second:>12,.0f} ev/s{'' if rate.complete else ' *'}")
    print(f"{'pipeline / raw':<44}{p / raw.per_second:>12.3f} x\n{'pipeline / naive':<44}"
          f"{p / naive.per_second:>12.2f} x\n" + "-" * 64)
    if not (naive.complete and pipeline.complete):
        print(f"* time budget reached: measured over the events processed in it, not all {events:,}")
    print(f"goal {GOAL_EPS:,.0f} ev/s per worker: {'met' if p >= GOAL_EPS else 'NOT met'}; "
          f"goal >= {GOAL_VS_NAIVE:g}x naive: {'met' if p >= GOAL_VS_NAIVE * naive.per_second else 'NOT met'}")


# -- the child process: one Faust worker reporting its progress on stdout ------------------------


class _Progress:
    """Events processed, with the monotonic times of the first and the last."""

    def __init__(self) -> None:
        self.n, self.first, self.last = 0, 0.0, 0.0

    def hit(self) -> None:
        self.last = time.monotonic()
        self.first = self.first or self.last
        self.n += 1

    def snapshot(self) -> list:
        n = self.n  # read first: first and last then belong to the n-th event or a later one
        return [n, self.first, self.last]


def _child_main(mode: str, config: dict) -> int:
    from streams.runtime.worker import make_worker

    counters = {"main": _Progress()}
    app = (_naive_app if mode == "naive" else _pipeline_app)(config, counters)
    out = os.fdopen(os.dup(1), "w", buffering=1)  # Faust's worker may redirect sys.stdout to its log
    threading.Thread(target=_report_forever, args=(out, counters, config["events"]), daemon=True).start()
    logfile = str(Path(config["work"]) / f"{mode}-faust.log")
    try:  # loglevel and quiet as streams.commands.runner starts a worker
        make_worker(app, loglevel="warn", logfile=logfile, quiet=True).execute_from_commandline()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


def _report_forever(out, counters: dict, target: int) -> None:
    while True:
        time.sleep(0.5)
        snap = {name: counter.snapshot() for name, counter in counters.items()}
        try:
            print("BENCH " + json.dumps(snap), file=out)
        except OSError:  # the benchmark is gone: stop too
            snap["main"][0] = target
        if snap["main"][0] >= target:
            os.kill(os.getpid(), signal.SIGTERM)  # Faust's worker stops cleanly on SIGTERM
            return


def _naive_app(config: dict, counters: dict):
    import faust

    app = faust.App(config["app_id"], broker=f"kafka://{config['broker']}", store="memory://", web_enabled=False,
                    topic_partitions=4, datadir=str(Path(config["work"]) / "naive"),
                    consumer_auto_offset_reset="earliest", **FAST_JOIN)
    inputs = app.topic(*config["inputs"], key_serializer="raw", value_serializer="raw")
    table = app.Table("naive-latest", partitions=4, key_type=bytes, value_type=bytes)
    done = counters["main"]

    @app.agent(inputs, name="naive", concurrency=1)
    async def naive(stream):
        async for event in stream.events():
            table[event.key] = event.value
            done.hit()

    return app


def _pipeline_app(config: dict, counters: dict):
    """The app as ``create_app`` builds it (ticks included), its metrics counting both agents."""
    from streams.runtime.app import create_app
    from streams.metrics.pipeline import PipelineMetrics
    from streams.runtime.policy_source import load_policy
    from streams.runtime.settings import Settings

    tracked, routed = counters["main"], counters.setdefault("routed", _Progress())

    class CountingMetrics(PipelineMetrics):
        def observe_event(self, *args, **kwargs) -> None:  # the timeline agent routed an event
            super().observe_event(*args, **kwargs)
            routed.hit()

        def observe_step(self, partition, entry, *rest) -> None:  # the tracker stepped a timeline record
            super().observe_step(partition, entry, *rest)
            if entry.kind != "tick":
                tracked.hit()

    policy = load_policy(None)
    settings = Settings(broker=config["broker"], app_id=config["app_id"], topic_prefix=config["prefix"],
                        metrics_port=0, data_dir=Path(config["work"]) / "pipeline")
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    return create_app(settings, policy, metrics=CountingMetrics(policy=policy))


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1], json.loads(sys.argv[2])))
