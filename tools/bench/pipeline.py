"""``leadsla bench``: the pipeline's throughput against three baselines, on a fresh embedded broker.

Realistic events are produced to the three input topics before anything is measured; then,
over those records: the raw consumer (aiokafka, JSON decode only), a Faust agent that does
nothing, a naive Faust agent (a table write per event) and the pipeline as ``create_app``
builds it. The Faust apps run as child processes (``python -m tools.bench.worker MODE``)
reporting progress on stdout. A rate runs from a stage's first processed event to its last,
so startup and the group join are excluded; a stage out of its wall-clock budget is
measured over the events it got to. Afterwards the messages the pipeline produced are
counted per topic: messages are the budget (see the README's Performance section).
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

from tools.bench.breakdown import core_rate, print_breakdown
from tools.bench.faust_stages import run_child
from tools.bench.kafka_stages import consume_raw, produce
from tools.bench.rates import BenchError, Rate, report
from tools.bench.workload import generate

TARGET_VS_NOTHING = 0.5  # the pipeline with full state, against Faust doing nothing


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
    from streams.kafka.admin import TopicSpec, ensure_topics
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
    core = core_rate([value for _, _, value, _ in records])
    report("the core alone (in-process: decode, validate, step)", core)
    child = dict(broker=settings.bootstrap, inputs=list(settings.topics.inputs), events=events, work=str(work))
    nothing, _ = run_child("nothing", dict(child, app_id=f"bench-nothing-{token}"), cleanup)
    ensure_topics(settings.bootstrap, [TopicSpec(f"{settings.topic_prefix}.bench-sink", settings.partitions)])
    sender, _ = run_child("sender", dict(child, app_id=f"bench-sender-{token}",
                                         sink=f"{settings.topic_prefix}.bench-sink"), cleanup)
    naive, _ = run_child("naive", dict(child, app_id=f"bench-naive-{token}"), cleanup)
    pipeline, progress = run_child("pipeline", dict(child, app_id=settings.app_id, prefix=settings.topic_prefix),
                                   cleanup)
    _summary({"raw consumer (aiokafka + JSON decode)": raw, "do-nothing Faust agent": nothing,
              "do-nothing agent sending a message per event": sender,
              "naive Faust agent (table write per event)": naive, "pipeline (tracker, full state)": pipeline},
             events)
    per_event = _messages(progress.get("sent", {}), progress["main"][0])
    print_breakdown(nothing, sender, core, pipeline, per_event)
    return 0


def _summary(rates: dict[str, Rate], events: int) -> None:
    raw, nothing, _, naive, pipeline = rates.values()
    p = pipeline.per_second
    print("\n" + "-" * 64)
    for label, rate in rates.items():
        print(f"{label:<44}{rate.per_second:>12,.0f} ev/s{'' if rate.complete else ' *'}")
    for label, base in (("raw", raw), ("do-nothing agent", nothing), ("naive agent", naive)):
        print(f"{'pipeline / ' + label:<44}{p / base.per_second:>12.3f} x")
    print("-" * 64)
    if not all(rate.complete for rate in rates.values()):
        print(f"* time budget reached: measured over the events processed in it, not all {events:,}")
    met = p >= TARGET_VS_NOTHING * nothing.per_second
    print(f"target >= {TARGET_VS_NOTHING:g}x the do-nothing agent in the same run: {'met' if met else 'NOT met'}")


def _messages(sent: dict[str, int], events: int) -> float:
    """Messages the pipeline produced while it processed ``events``, per topic and per event:
    messages are the budget (the README's Performance section). Returns those per event."""
    per_event = sum(sent.values()) / max(events, 1)
    print(f"messages produced per input event: {per_event:.2f}")
    for topic, count in sorted(sent.items(), key=lambda item: -item[1]):
        print(f"  {topic:<60}{count / max(events, 1):>6.2f}  ({count:,})")
    return per_event
