"""The Faust app factory: topics, tables, agents and the tick timer.

Agents are thin adapters: decode -> step the pure core -> persist -> emit.
- timeline agent: validates the three input topics, routes valid events to the
  lead-keyed timeline topic (record timestamp = event time), the rest to dead letters.
- tracker agent: the single writer of the lead-state tables; runs the pure
  ``Tracker`` over the timeline and emits outcomes.
- tick timer: writes a tick into every timeline partition, claiming for each input
  partition this worker owns the time up to which it has been routed
  (streams.runtime.input_progress). The tracker moves a partition's clock at the pace
  of the lowest claim over all input partitions (models.partition_clock), so a
  backlog being read, by this worker or another, is never overtaken by "now" (which
  would breach leads whose calls are still queued).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import faust

from models.dead_letters import DeadLetter
from models.events import LeadEventBase, Tick
from models.policy import Policy
from models.tracker import Tracker
from streams.kafka.codec import InvalidMessage, check_not_ahead, decode_event, decode_timeline, encode
from streams.metrics.pipeline import PipelineMetrics
from streams.runtime.clock import Clock, SystemClock
from streams.runtime.faust_codecs import LEAD_STATE_CODEC, hold_models
from streams.runtime.input_progress import InputProgress
from streams.runtime.live_tables import LiveTables
from streams.runtime.settings import Settings

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


@dataclass(frozen=True)
class Wiring:
    """The app's topics, as the agents and the timer use them."""

    inputs: faust.TopicT
    timeline: faust.TopicT
    outcomes: faust.TopicT
    dead_letters: faust.TopicT
    kinds: dict[str, str]  # input topic name -> the event kind it carries


def create_app(settings: Settings, policy: Policy, *, clock: Clock | None = None,
               metrics: PipelineMetrics | None = None, extensions: Sequence[Extension] = ()) -> faust.App:
    app = faust.App(settings.app_id, **_faust_settings(settings))
    metrics = metrics or PipelineMetrics()
    clock = clock or SystemClock()
    wiring = _declare_topics(app, settings)
    progress = InputProgress()
    leads = app.Table("lead-state", partitions=settings.partitions)
    hold_models(leads, LEAD_STATE_CODEC)  # LeadState objects, also after recovery from the changelog
    tracker = Tracker(policy, leads, app.Table("partition-clock", partitions=settings.partitions),
                      input_sources(settings))
    _install_timeline_agent(app, wiring, progress, metrics)
    _install_tracker_agent(app, wiring, tracker, LiveTables(app, settings.partitions), metrics)
    _install_tick_timer(app, settings, wiring, progress, clock, metrics)
    context = AppContext(settings, policy, clock, metrics, wiring.outcomes, leads)
    for extend in extensions:
        extend(app, context)
    return app


def _declare_topics(app: faust.App, settings: Settings) -> Wiring:
    topics = settings.topics
    raw = dict(key_serializer="raw", value_serializer="raw")
    return Wiring(
        inputs=app.topic(*topics.inputs, **raw),
        timeline=app.topic(topics.timeline, partitions=settings.partitions, **raw),
        outcomes=app.topic(topics.outcomes, **raw),
        dead_letters=app.topic(topics.dead_letters, **raw),
        kinds={getattr(topics, name): kind for name, kind in KIND_BY_TOPIC_FIELD.items()},
    )


def _install_timeline_agent(app: faust.App, wiring: Wiring, progress: InputProgress, metrics) -> None:
    @app.agent(wiring.inputs, name="timeline", concurrency=1)
    async def route_to_timeline(stream):
        async for event in stream.events():
            lead_event = await _route(event, wiring.kinds, wiring.timeline, wiring.dead_letters, metrics)
            message = event.message
            progress.routed(message.tp, message.offset, lead_event and lead_event.occurred_at)


def _install_tracker_agent(app: faust.App, wiring: Wiring, tracker: Tracker, live: LiveTables, metrics) -> None:
    @app.agent(wiring.timeline, name="tracker", concurrency=1)
    async def track(stream):
        async for event in stream.events():
            await _track(event, tracker, live, wiring.outcomes, wiring.dead_letters, metrics)

    @app.on_partitions_revoked.connect
    async def forget(app_, revoked, **kwargs) -> None:
        timeline = wiring.timeline.get_topic_name()
        tracker.forget_partitions({tp.partition for tp in revoked if tp.topic == timeline})


def _install_tick_timer(app: faust.App, settings: Settings, wiring: Wiring, progress: InputProgress,
                        clock: Clock, metrics) -> None:
    input_topics = settings.topics.inputs

    @app.timer(settings.tick_interval_s)
    async def tick() -> None:
        if app.rebalancing or getattr(app, "in_recovery", False):
            return  # ownership is changing: claim nothing until it has settled
        claims = _claims(app, progress, input_topics, clock)
        if not claims:
            return
        at = min(claims.values())
        for partition in range(settings.partitions):
            # Event time as the record time, like every timeline record: the live tables' windows follow it.
            tick_record = Tick(schema_version=1, at=at, partition=partition, claims=claims)
            await wiring.timeline.send(value=encode(tick_record), partition=partition, timestamp=at.timestamp())
        metrics.observe_tick(at)


def input_sources(settings: Settings) -> list[str]:
    """Every input partition, as ticks name them: the clock waits for a claim on each."""
    return [_source(topic, n) for topic in settings.topics.inputs for n in range(settings.partitions)]


def _source(topic: str, partition: int) -> str:
    return f"{topic}:{partition}"


def _faust_settings(settings: Settings) -> dict:
    # On the embedded broker, one record per batch keeps its ListOffsets answer (last
    # batch's base offset + 1) equal to the true end, so a table moving to another
    # worker recovers its whole changelog.
    quirks = dict(producer_max_batch_size=1) if settings.embedded_broker else {}
    return dict(quirks, **settings.kafka_security.faust_settings(),  # TLS/SASL (streams.kafka.security)
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
    )


async def _route(event, kinds, timeline, dead_letters, metrics) -> LeadEventBase | None:
    message = event.message
    raw = message.value or b""
    try:
        lead_event = decode_event(raw, kinds[message.topic])
        check_not_ahead(lead_event, _timestamp_ms(message))
    except InvalidMessage as invalid:
        await _dead_letter(dead_letters, message, invalid, raw, metrics)
        return None
    metrics.observe_event(message.topic, lead_event)
    await timeline.send(key=lead_event.lead_id.encode(), value=encode(lead_event),
                        timestamp=lead_event.occurred_at.timestamp())
    return lead_event


async def _track(event, tracker: Tracker, live: LiveTables, outcomes, dead_letters, metrics) -> None:
    message = event.message
    try:
        entry = decode_timeline(message.value)
        result = tracker.on_entry(message.partition, entry)
    except InvalidMessage as invalid:
        await _dead_letter(dead_letters, message, invalid, message.value or b"", metrics)
        return
    if result.rejected:
        await _dead_letter(dead_letters, message, InvalidMessage("lead_retired", result.rejected),
                           message.value or b"", metrics)
        return
    metrics.observe_step(message.partition, entry, result)
    if not result.duplicate and entry.kind == "contact_attempt":
        live.count_attempt(entry, message.partition)
    for outcome in result.outcomes:
        live.observe_outcome(outcome, message.partition)
        metrics.observe_outcome(outcome)
        await outcomes.send(key=outcome.lead_id.encode(), value=encode(outcome))


async def _dead_letter(dead_letters, message, invalid: InvalidMessage, raw: bytes, metrics) -> None:
    letter = DeadLetter.of(topic=message.topic, partition=message.partition, offset=message.offset,
                           code=invalid.code, reason=invalid.reason, raw=raw,
                           timestamp_ms=_timestamp_ms(message))
    metrics.observe_dead_letter(message.topic, invalid.code)
    await dead_letters.send(key=message.topic.encode(), value=encode(letter))


def _timestamp_ms(message) -> int | None:
    return int(message.timestamp * 1000) if message.timestamp else None


def _claims(app: faust.App, progress: InputProgress, input_topics, clock: Clock) -> dict:
    """What this worker may claim: only the input partitions it owns, up to what it routed."""
    assigned = [tp for tp in app.consumer.assignment() if tp.topic in input_topics]
    # Highwaters from fetch responses, not ListOffsets: the embedded broker answers
    # ListOffsets with the last batch's base offset + 1. Faust keeps the committed
    # offsets it resumed from privately; a partition with nothing new since the
    # last run is caught up at its committed offset.
    claims = progress.claims(assigned, app.consumer.highwater, app.consumer._committed_offset.get, clock.now())
    return {_source(tp.topic, tp.partition): at for tp, at in claims.items()}
