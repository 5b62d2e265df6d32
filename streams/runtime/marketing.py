"""Marketing's side of the agreement, live: the closed-loop agent and the marketing gauges.

- The ``closed-loop`` agent (concurrency 1) reads the deals topic and the conversions
  topic (which the tracker reads too: Faust hands each record to both agents; the
  topics are co-partitioned by lead id, so a lead's deals meet its conversions). It
  validates deals as the tracker validates its inputs (bad ones go to dead letters
  with a reason) and folds both into the ``closed-loop`` table (lead id -> LeadLoop,
  models.loop_ledger), written once per changed lead per commit. It is that table's
  only writer. Invalid conversions are the tracker's to dead-letter, not this agent's.
- A timer reads (never writes) the lead-state and closed-loop tables of the partitions
  this worker owns and publishes the waterfall per goal group, by the event-time
  watermark's today (models.waterfall), and the closed loop's sales cycle and window
  figures (models.loop_ledger, streams.metrics.marketing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import faust

from models.dead_letters import DeadLetter
from models.events import DealClosed
from models.goal_report import goal_zone
from models.loop_ledger import LeadLoop, LiveWindow, fold, live_window
from models.waterfall import month_to_date_counts
from streams.kafka.codec import InvalidMessage, check_not_ahead, decode_event, encode
from streams.kafka.partitioning import misrouted
from streams.metrics.marketing import marketing_families
from streams.metrics.snapshot import SnapshotCollector
from streams.runtime.app import AppContext, Extension
from streams.runtime.assignment import owned_partitions
from streams.runtime.coalesced import CoalescedTable
from streams.runtime.faust_codecs import PydanticCodec, hold_models

LOOP_CODEC = "leadsla_lead_loop"
faust.serializers.codecs.register(LOOP_CODEC, PydanticCodec(LeadLoop))
REFRESH_INTERVAL_S = 2.0


@dataclass
class FiguresCache:
    """The window (its cycle and figures) changes only when a loop or the month does; refreshing
    every few seconds must not rebuild the book of a year's leads each time."""

    version: int = 0  # bumped by the agent on every change of the table
    key: tuple | None = None
    window: LiveWindow = field(default_factory=LiveWindow)

    def get(self, key: tuple, compute) -> LiveWindow:
        if key != self.key:
            self.key, self.window = key, compute()
        return self.window


class FlushBeforeCommit(faust.Sensor):
    """The closed-loop table's changes reach its changelog before the offsets that vouch for them."""

    def __init__(self, table: CoalescedTable, **kwargs) -> None:
        super().__init__(**kwargs)
        self.table = table

    def on_commit_initiated(self, consumer) -> None:
        self.table.flush()


def marketing_extension(interval_s: float = REFRESH_INTERVAL_S) -> Extension:
    def extend(app: faust.App, context: AppContext) -> None:
        table = app.Table("closed-loop", partitions=context.settings.partitions)
        hold_models(table, LOOP_CODEC)
        loops = CoalescedTable(table, lambda lead_id, loop: loop.partition)
        app.sensors.add(FlushBeforeCommit(loops))
        cache = FiguresCache()
        _install_agent(app, context, loops, cache)
        collector = SnapshotCollector()
        context.metrics.registry.register(collector)

        @app.timer(interval_s, name="refresh-marketing-gauges")
        async def refresh() -> None:
            publish(app, context, table, collector, cache)

    return extend


def _install_agent(app: faust.App, context: AppContext, loops: CoalescedTable, cache: FiguresCache) -> None:
    names = context.settings.topics
    kinds = {names.deals: "deal_closed", names.conversions: "lead_converted"}
    dead_letters = app.topic(names.dead_letters, key_serializer="raw", value_serializer="raw")
    sources = app.topic(names.deals, names.conversions, key_serializer="raw", value_serializer="raw")

    @app.agent(sources, name="closed-loop", concurrency=1)
    async def closed_loop(stream):
        async for event in stream.events():
            if step(event.message, kinds, loops, context, dead_letters):
                cache.version += 1


def step(message, kinds: dict[str, str], loops: CoalescedTable, context: AppContext, dead_letters) -> bool:
    """Fold one record (True: the table changed); a deal that is not valid goes to dead letters
    with its reason."""
    try:
        event = decode_event(message.value or b"", kinds[message.topic])
        check_not_ahead(event, _timestamp_ms(message))
        if reason := misrouted(event.lead_id, message.partition, context.settings.partitions):
            raise InvalidMessage("misrouted", reason)
    except InvalidMessage as invalid:
        if kinds[message.topic] == "deal_closed":
            _dead_letter(dead_letters, message, invalid, context)
        return False
    if isinstance(event, DealClosed):
        context.metrics.observe_event(message.topic, event)
    changed = fold(loops.get(event.lead_id), event, message.partition)
    if changed is None:
        return False
    loops[event.lead_id] = changed
    return True


def _dead_letter(dead_letters, message, invalid: InvalidMessage, context: AppContext) -> None:
    letter = DeadLetter.of(topic=message.topic, partition=message.partition, offset=message.offset,
                           code=invalid.code, reason=invalid.reason, raw=message.value or b"",
                           timestamp_ms=_timestamp_ms(message))
    context.metrics.observe_dead_letter(message.topic, invalid.code)
    dead_letters.send_soon(key=message.topic.encode(), value=encode(letter))


def _timestamp_ms(message) -> int | None:
    return int(message.timestamp * 1000) if message.timestamp else None


def publish(app: faust.App, context: AppContext, table: faust.Table, collector: SnapshotCollector,
            cache: FiguresCache) -> None:
    mine = owned_partitions(app, context.settings.topics.ticks)
    watermarks = {p: w for p, w in context.metrics.watermarks.items() if p in mine}
    states = [state for state in context.leads.values() if state.partition in mine]
    counts = month_to_date_counts(states, watermarks, context.policy, goal_zone(context.policy))
    month = (counts.today.year, counts.today.month) if counts.today else None

    def compute() -> LiveWindow:
        loops = [loop for loop in table.data.values() if loop.partition in mine]
        return live_window(loops, context.policy, counts.today)

    live = cache.get((month, frozenset(mine), cache.version, len(table.data)), compute)
    collector.publish(marketing_families(counts, live, context.policy))
