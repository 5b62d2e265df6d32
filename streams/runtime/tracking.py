"""The tracker agent: the co-partitioned input topics and the ticks in, outcomes out.

It reads the three input topics and its app's ticks directly (no copy of the inputs).
Each record is validated and stepped through the pure ``Tracker`` against the tables'
stores, and its outcomes are queued at once. The changelogs are written once per
commit (every few seconds; ``WriteBeforeCommit``): every changed lead and clock once,
the live tables once per key and window, instead of a message per change. Outcomes
are queued before the state that records them, so a crash can repeat an outcome
(identically) but not lose one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import logging

import faust

from models.dead_letters import DeadLetter
from models.events import LeadEventBase, Tick
from models.tracker import StepResult, Tracker
from streams.kafka.codec import InvalidMessage, check_not_ahead, decode_event, decode_timeline, encode
from streams.kafka.partitioning import misrouted
from streams.metrics.pipeline import PipelineMetrics
from streams.runtime.coalesced import CoalescedTable
from streams.runtime.input_progress import InputProgress
from streams.runtime.live_tables import LiveTables
from streams.runtime.resume_check import ResumeCheck
from streams.runtime.tick_gate import TickGate, vouched_positions

log = logging.getLogger("leadsla.tracker")


@dataclass(frozen=True)
class Tracking:
    """What the agent steps and writes."""

    tracker: Tracker
    tables: tuple[CoalescedTable, ...]  # the tracker's lead states and clocks
    live: LiveTables
    progress: InputProgress
    gate: TickGate  # holds a tick until the input records it vouches for are read
    metrics: PipelineMetrics
    partitions: int
    resume: ResumeCheck  # each input partition handled from its committed offset, none left out
    set_aside: Callable[[object], None]  # a record not handled now, to come again: its ack must not count


@dataclass(frozen=True)
class Topics:
    sources: faust.TopicT  # the input topics and the ticks
    ticks: str
    inputs: tuple[str, ...]  # in the order a tick's positions header lists them
    kinds: dict[str, str]  # input topic name -> the event kind it carries
    outcomes: faust.TopicT
    dead_letters: faust.TopicT


class WriteBeforeCommit(faust.Sensor):
    """Writes the tables' coalesced changes just before Faust commits offsets.

    Faust calls a sensor's ``on_commit_initiated`` right before it picks the acked
    offsets to commit (nothing runs in between) and then flushes the producer before
    committing them; so every change a committed offset vouches for is in the changelog.
    """

    def __init__(self, tracking: Tracking, **kwargs) -> None:
        super().__init__(**kwargs)
        self.tracking = tracking

    def on_commit_initiated(self, consumer) -> None:
        for table in self.tracking.tables:
            table.flush()
        self.tracking.live.flush()


def install_tracker_agent(app: faust.App, topics: Topics, tracking: Tracking) -> None:
    app.sensors.add(WriteBeforeCommit(tracking))

    @app.agent(topics.sources, name="tracker", concurrency=1)
    async def track(stream):
        async for event in stream.events():
            _handle(event.message, topics, tracking)  # nothing awaited: a commit never splits a record

    @app.on_partitions_revoked.connect
    async def forget(app_, revoked, **kwargs) -> None:
        gone = {tp.partition for tp in revoked if tp.topic == topics.ticks}
        tracking.tracker.forget_partitions(gone)
        tracking.gate.forget(gone)
        tracking.resume.forget()


def _handle(message, topics: Topics, tracking: Tracking) -> None:
    if message.topic == topics.ticks:
        _handle_tick(message, topics, tracking)
        return
    _handle_input(message, topics, tracking)
    if (tick := tracking.gate.release(message.partition)) is not None:
        _step(message.partition, tick, topics, tracking)


def _handle_tick(message, topics: Topics, tracking: Tracking) -> None:
    try:
        tick = _decode(message, topics, tracking.partitions)
    except InvalidMessage as invalid:
        _dead_letter(topics.dead_letters, message, invalid, tracking.metrics)
        return
    vouched = vouched_positions(message.headers, topics.inputs)
    if (admitted := tracking.gate.admit(tick, vouched)) is not None:
        _step(message.partition, admitted, topics, tracking)


def _handle_input(message, topics: Topics, tracking: Tracking) -> None:
    if not tracking.resume.admit(message.tp, message.offset):
        tracking.set_aside(message)
        return
    try:
        entry = _decode(message, topics, tracking.partitions)
        result = tracking.tracker.on_entry(message.partition, entry)
        if result.rejected:
            raise InvalidMessage("lead_retired", result.rejected)
    except InvalidMessage as invalid:
        _read(message, None, tracking)
        _dead_letter(topics.dead_letters, message, invalid, tracking.metrics)
        return
    _read(message, entry, tracking)
    _emit(message.partition, entry, result, topics, tracking)


def _step(partition: int, tick: Tick, topics: Topics, tracking: Tracking) -> None:
    _emit(partition, tick, tracking.tracker.on_entry(partition, tick), topics, tracking)


def _decode(message, topics: Topics, partitions: int) -> LeadEventBase | Tick:
    raw = message.value or b""
    if message.topic == topics.ticks:
        tick = decode_timeline(raw)
        if not isinstance(tick, Tick):
            raise InvalidMessage("wrong_kind", f"{tick.kind!r} does not belong on the ticks topic")
        return tick
    event = decode_event(raw, topics.kinds[message.topic])
    check_not_ahead(event, _timestamp_ms(message))
    if reason := misrouted(event.lead_id, message.partition, partitions):
        raise InvalidMessage("misrouted", reason)
    return event


def _read(message, entry: LeadEventBase | None, tracking: Tracking) -> None:
    """What a tick may claim next: this input record has been handled."""
    if skipped := tracking.progress.read(message.tp, message.offset, entry and entry.occurred_at):
        # A transactional producer's commit markers take offsets too: a gap is news, not an error.
        log.info("%s[%d]: %d offset(s) before %d were not handed to the tracker",
                 message.topic, message.partition, skipped, message.offset)
    if entry is not None:
        tracking.metrics.observe_event(message.topic, entry)


def _emit(partition: int, entry: LeadEventBase | Tick, result: StepResult, topics: Topics,
                tracking: Tracking) -> None:
    tracking.metrics.observe_step(partition, entry, result)
    if not result.duplicate and entry.kind == "contact_attempt":
        tracking.live.count_attempt(entry, partition)
    for outcome in result.outcomes:
        tracking.live.observe_outcome(outcome, partition)
        tracking.metrics.observe_outcome(outcome)
        topics.outcomes.send_soon(key=outcome.lead_id.encode(), value=encode(outcome))


def _dead_letter(dead_letters: faust.TopicT, message, invalid: InvalidMessage, metrics) -> None:
    letter = DeadLetter.of(topic=message.topic, partition=message.partition, offset=message.offset,
                           code=invalid.code, reason=invalid.reason, raw=message.value or b"",
                           timestamp_ms=_timestamp_ms(message))
    metrics.observe_dead_letter(message.topic, invalid.code)
    dead_letters.send_soon(key=message.topic.encode(), value=encode(letter))


def _timestamp_ms(message) -> int | None:
    return int(message.timestamp * 1000) if message.timestamp else None
