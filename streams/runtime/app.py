"""The Faust app factory: topics, tables, the tracker agent and the tick timer.

- tracker agent (streams.runtime.tracking): reads the co-partitioned input topics
  and the ticks, validates, steps the pure ``Tracker`` and emits outcomes; the
  single writer of the lead-state and clock tables, written once per lead per batch.
- tick timer: for each partition whose inputs this worker owns, writes a tick into
  that partition of the ticks topic, claiming the time up to which it has read
  them (streams.runtime.input_progress). A backlog being read holds its partition's
  time back, so "now" never overtakes calls still queued.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Sequence

import faust

from models.events import Tick
from models.policy import Policies, Policy
from models.tracker import Tracker
from streams.kafka.codec import encode
from streams.kafka.compression import faust_producer_options
from streams.kafka.fetch_wait import use_fetch_wait
from streams.metrics.pipeline import PipelineMetrics
from streams.runtime.clock import Clock, SystemClock
from streams.runtime.coalesced import CoalescedTable
from streams.runtime.faust_codecs import LEAD_STATE_CODEC, hold_models
from streams.runtime.input_progress import InputProgress, partition_claims
from streams.runtime.live_tables import LiveTables
from streams.runtime.claim_watch import ClaimWatch
from streams.runtime.resume_check import ResumeCheck
from streams.runtime.resume_points import ResumePoints, seek_uncommitted_after_faust
from streams.runtime.settings import Settings
from streams.runtime.skipped_acks import AckGuard
from streams.runtime.tick_gate import POSITIONS_HEADER, TickGate, positions_header
from streams.runtime.tracking import Topics, Tracking, install_tracker_agent

KIND_BY_TOPIC_FIELD = {"conversions": "lead_converted", "handoffs": "handoff", "attempts": "contact_attempt"}


@dataclass(frozen=True)
class AppContext:
    """What an extension (alerting, dashboards' metrics) may hook into."""

    settings: Settings
    policy: Policy
    clock: Clock
    metrics: PipelineMetrics
    outcomes: faust.TopicT
    leads: faust.Table  # lead id -> LeadState; read-only for extensions (one writer: the tracker)


Extension = Callable[[faust.App, AppContext], None]


log = logging.getLogger("leadsla.clock")


def create_app(settings: Settings, policy: Policy, *, clock: Clock | None = None,
               metrics: PipelineMetrics | None = None, extensions: Sequence[Extension] = (),
               policies: Policies | None = None) -> faust.App:
    """``policy``: the version in force now, for the extensions; ``policies``: what the tracker
    judges lead cycles by (a policy history: the version in force at each handoff), else ``policy``."""
    app = faust.App(settings.app_id, **_faust_settings(settings))
    use_fetch_wait(app, settings.fetch_wait_s)  # Faust's fixed 1.5 s would delay each hop through a topic
    metrics = metrics or PipelineMetrics()
    clock = clock or SystemClock()
    topics = _declare_topics(app, settings)
    progress = InputProgress()
    leads = app.Table("lead-state", partitions=settings.partitions)
    hold_models(leads, LEAD_STATE_CODEC)  # LeadState objects, also after recovery from the changelog
    lead_store = CoalescedTable(leads, lambda lead_id, state: state.partition)
    clocks = CoalescedTable(app.Table("partition-clock", partitions=settings.partitions),
                            lambda partition, seconds: int(partition))
    points = ResumePoints(lambda tp: tp.topic in settings.topics.inputs)
    seek_uncommitted_after_faust(app.consumer, points)
    gate = TickGate(settings.topics.inputs, lambda tp: progress.position(tp, points.get(tp)))
    acks = AckGuard(app)  # a record skipped at a rebalance or the stop is read again, not committed
    seeks: dict = {}
    resume = ResumeCheck(points.get, lambda tp, offset: _rewind(app, progress, acks, seeks, tp, offset))
    tracking = Tracking(Tracker(policies or policy, lead_store, clocks), (lead_store, clocks),
                        LiveTables(app, settings.partitions), progress, gate, metrics, settings.partitions,
                        resume, acks.set_aside)
    install_tracker_agent(app, topics, tracking)
    _install_tick_timer(app, settings, topics, progress, points, clock, metrics)
    context = AppContext(settings, policy, clock, metrics, topics.outcomes, leads)
    for extend in extensions:
        extend(app, context)
    return app


def _declare_topics(app: faust.App, settings: Settings) -> Topics:
    names = settings.topics
    raw = dict(key_serializer="raw", value_serializer="raw")
    return Topics(
        sources=app.topic(*names.inputs, names.ticks, **raw),
        ticks=names.ticks,
        inputs=names.inputs,
        kinds={getattr(names, field): kind for field, kind in KIND_BY_TOPIC_FIELD.items()},
        outcomes=app.topic(names.outcomes, **raw),
        dead_letters=app.topic(names.dead_letters, **raw),
    )


def _install_tick_timer(app: faust.App, settings: Settings, topics: Topics, progress: InputProgress,
                        points: ResumePoints, clock: Clock, metrics) -> None:
    inputs = settings.topics.inputs
    ticks = app.topic(topics.ticks, key_serializer="raw", value_serializer="raw")

    first_claimed: set[int] = set()
    watch = ClaimWatch(lambda partition: _input_state(app, progress, inputs, partition))

    @app.on_partitions_revoked.connect
    async def claim_anew(app_, revoked, **kwargs) -> None:
        first_claimed.clear()
        watch.forget()
        points.forget()

    @app.timer(settings.tick_interval_s)
    async def tick() -> None:
        if app.rebalancing or getattr(app, "in_recovery", False):
            return  # ownership is changing: claim nothing until it has settled
        claims = partition_claims(_claims(app, progress, points, inputs, clock), inputs)
        watch.observe({tp.partition for tp in app.consumer.assignment() if tp.topic in inputs}, claims)
        # What each claim rests on, taken with it (no await between): see tick_gate.
        read = {p: positions_header(inputs, p, lambda tp: progress.position(tp, points.get(tp))) for p in claims}
        _say_first_claims(app, progress, inputs, claims, first_claimed)
        for partition, at in sorted(claims.items()):
            # Event time as the record time, so a replay of the ticks reads the live clock.
            record = Tick(schema_version=1, at=at, partition=partition)
            await ticks.send(value=encode(record), partition=partition, timestamp=at.timestamp(),
                             headers={POSITIONS_HEADER: read[partition]})
        if claims:
            metrics.observe_tick(min(claims.values()))


def _faust_settings(settings: Settings) -> dict:
    # On the embedded broker, one record per batch keeps its ListOffsets answer (last
    # batch's base offset + 1) equal to the true end, so a table moving to another
    # worker recovers its whole changelog.
    quirks = dict(producer_max_batch_size=1) if settings.embedded_broker else {}
    return dict(
        quirks,
        **settings.kafka_security.faust_settings(),  # TLS/SASL (streams.kafka.security)
        **faust_producer_options(settings.compression),
        broker=settings.broker_url,
        store="memory://",
        web_enabled=False,
        topic_partitions=settings.partitions,
        datadir=str(settings.data_dir / "faust"),
        consumer_auto_offset_reset="earliest",
        # A group join waits the full rebalance timeout on the embedded broker (see NOTES).
        broker_rebalance_timeout=3,
        broker_session_timeout=6,
        broker_heartbeat_interval=1,
        producer_linger_ms=10,  # batches sends; far below the alert latency budget
        # aiokafka retries a send until then (Faust's default is 20 minutes): the
        # delivery guard re-sends what failed, or stops the worker (streams.runtime.delivery).
        producer_request_timeout=settings.delivery_timeout_s,
    )


def _say_first_claims(app: faust.App, progress: InputProgress, inputs, claims: dict, first_claimed: set) -> None:
    """Logs what the first claim on each partition after an assignment rests on (once per
    partition and assignment): where reading resumed and how far it has got."""
    for partition in sorted(set(claims) - first_claimed):
        first_claimed.add(partition)
        parts = []
        for topic in inputs:
            tp = next((tp for tp in app.consumer.assignment() if tp.topic == topic and tp.partition == partition), None)
            if tp is None:
                continue
            parts.append(f"{topic}[{partition}] highwater {app.consumer.highwater(tp)} read-to {progress.next_offset.get(tp)} "
                         f"committed {app.consumer._committed_offset.get(tp)} latest {progress.latest_event_time.get(tp)}")
        log.info("partition %d: first claim %s: %s", partition, claims[partition].isoformat(), "; ".join(parts))


def _input_state(app: faust.App, progress: InputProgress, inputs, partition: int) -> str:
    """What Faust and aiokafka know of ``partition``'s input partitions (for the claim watch)."""
    consumer = app.consumer
    aiokafka = getattr(getattr(consumer, "_thread", None), "_consumer", None)
    parts = []
    for tp in (tp for tp in consumer.assignment() if tp.topic in inputs and tp.partition == partition):
        try:
            state = aiokafka._subscription.subscription.assignment.state_value(tp)
            position, paused = f"{state._position} (awaiting reset {state.awaiting_reset})", state.paused
        except Exception:  # noqa: BLE001 - a diagnostic: aiokafka's internals may differ or be gone
            position = paused = "?"
        parts.append(f"{tp.topic}[{partition}] highwater {consumer.highwater(tp)} read-to {progress.next_offset.get(tp)} "
                     f"committed {consumer._committed_offset.get(tp)} faust-read {consumer._read_offset.get(tp)} "
                     f"active {tp in consumer._get_active_partitions()} paused {tp in consumer._paused_partitions} "
                     f"buffered {tp in consumer._buffered_partitions} aiokafka position {position} paused {paused}")
    return "; ".join(parts) or "no input partition assigned"


def _rewind(app: faust.App, progress: InputProgress, acks: AckGuard, seeks: dict, tp, offset: int) -> None:
    """Read ``tp`` again from ``offset``: ticks claim nothing past it until it is read, and
    nothing past it is committed before."""
    progress.next_offset[tp] = offset
    acks.take_back(tp, offset)
    consumer = app.consumer
    seek = seeks.get(tp)  # the seek in progress: a later one once it is done (see resume_check)
    if seek is None or seek.done():
        seeks[tp] = asyncio.ensure_future(consumer.seek_wait({tp: offset}))


def _claims(app: faust.App, progress: InputProgress, points: ResumePoints, input_topics, clock: Clock) -> dict:
    """What this worker may claim: only the input partitions it owns, up to what it read."""
    assigned = [tp for tp in app.consumer.assignment() if tp.topic in input_topics]
    # Highwaters from fetch responses, not ListOffsets: the embedded broker answers
    # ListOffsets with the last batch's base offset + 1. A partition with nothing new
    # since the last run is caught up where it resumed.
    now = clock.now()
    return progress.claims(assigned, app.consumer.highwater, points.get, now,
                           lambda tp: _highwater_seen_at(app, tp, now, clock))


def _highwater_seen_at(app: faust.App, tp, now, clock: Clock):
    """When the consumer last learnt ``tp``'s highwater (aiokafka's last poll of it), on
    ``clock``'s time scale (the demo's runs faster than the wall clock); None if unknown."""
    thread = getattr(app.consumer, "_thread", None)
    consumer = getattr(thread, "_consumer", None)
    try:
        polled_ms = consumer.last_poll_timestamp(tp) if consumer is not None else None
    except AssertionError:  # no longer assigned: claim nothing for it
        polled_ms = None
    if not polled_ms:
        return None
    age_s = max(0.0, time.time() - polled_ms / 1000) * getattr(clock, "speed", 1.0)
    return now - timedelta(seconds=age_s)
