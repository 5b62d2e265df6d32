"""``leadsla bench``: the pipeline's throughput against two baselines, on a fresh embedded broker.

Realistic events are produced to the three input topics before anything is measured; then,
over those records: the raw consumer (aiokafka, JSON decode only), a naive Faust agent (a
table write per event) and the pipeline as ``create_app`` builds it. The Faust apps run as
child processes (``python -m tools.bench.worker naive|pipeline``) reporting progress on stdout.
A rate runs from a stage's first processed event to its last, so startup and the group join
are excluded; a stage out of its wall-clock budget is measured over the events it got to.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from tools.bench.faust_stages import run_child
from tools.bench.kafka_stages import consume_raw, produce
from tools.bench.rates import BenchError, Rate, report
from tools.bench.workload import generate

GOAL_EPS, GOAL_VS_NAIVE = 20_000.0, 4.0


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
    records = generate(events, leads)
    report("producer", asyncio.run(produce(settings.bootstrap, settings.topics, records)))
    raw = asyncio.run(consume_raw(settings.bootstrap, settings.topics.inputs, events))
    report("raw consumer", raw)
    child = dict(broker=settings.bootstrap, inputs=list(settings.topics.inputs), events=events, work=str(work))
    naive = run_child("naive", dict(child, app_id=f"bench-naive-{token}"), cleanup)
    pipeline = run_child("pipeline", dict(child, app_id=settings.app_id, prefix=settings.topic_prefix), cleanup)
    _summary(raw, naive, pipeline, events)
    return 0



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

