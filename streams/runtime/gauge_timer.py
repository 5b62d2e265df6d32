"""The extension that keeps the "how things are now" gauges current.

A Faust timer reads (never writes: Faust forbids table writes outside stream
iteration) the lead-state table and the windowed live tables every few seconds,
for the partitions this worker owns, and publishes the gauges whole. Being
recomputed from the tables, the gauges are right again as soon as a restarted
worker has recovered its tables. With several workers each reports its own
partitions; dashboards sum (or max) over workers. A lead's event-derived facts are
cached until its events change (models.lead_snapshot.FactsCache): a pass over
10,000 leads then takes about 0.2 s of the event loop.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

import faust

from models.lead_snapshot import FactsCache
from streams.metrics.gauges import gauge_families
from streams.metrics.names import LEAD_ATTEMPTS_TABLE, REP_ATTEMPTS_TABLE, SPEED_TABLE, split_partition_key
from streams.metrics.snapshot import LiveWindows
from streams.runtime.app import AppContext, Extension
from streams.runtime.assignment import owned_partitions
from streams.runtime.live_tables import DAY, SPEED_WINDOW

REFRESH_INTERVAL_S = 2.0


def metrics_extension(interval_s: float = REFRESH_INTERVAL_S) -> Extension:
    def extend(app: faust.App, context: AppContext) -> None:
        cache = FactsCache(context.policy)

        @app.timer(interval_s, name="refresh-gauges")
        async def refresh_gauges() -> None:
            publish_gauges(app, context, cache)

    return extend


def publish_gauges(app: faust.App, context: AppContext, cache: FactsCache) -> None:
    now = context.clock.now()
    mine = owned_partitions(app, context.settings.topics.ticks)
    states = [state for state in context.leads.values() if state.partition in mine]
    context.metrics.keep_partitions(mine)
    windows = read_live_windows(app, mine, {state.lead_id for state in states}, now)
    context.metrics.snapshot.publish(gauge_families(states, context.policy, context.metrics, now, windows, cache))


def read_live_windows(app: faust.App, mine: set[int], my_leads: set[str], now: datetime) -> LiveWindows:
    """Current hour / day windows of the live tables. Team and rep keys carry their partition
    (names.partition_key); the per-lead table's keys are lead ids, in their lead's partition."""
    def in_mine(key: str) -> bool:
        split = split_partition_key(key)
        return split is not None and split[1] in mine

    windows = LiveWindows()
    for key, (count, wall, business) in _current(app, SPEED_TABLE, SPEED_WINDOW, now, in_mine):
        name = _name(key)
        windows.contacted[name] += count
        windows.wall_seconds[name] += wall
        windows.business_seconds[name] += business
    for key, attempts in _current(app, REP_ATTEMPTS_TABLE, DAY, now, in_mine):
        windows.rep_attempts[_name(key)] += attempts
    windows.lead_attempts = [n for _, n in _current(app, LEAD_ATTEMPTS_TABLE, DAY, now, my_leads.__contains__)]
    return windows


def _name(key: str) -> str:
    return split_partition_key(key)[0]  # only keys in_mine accepted get here


def _current(app: faust.App, table_name: str, size: timedelta, now: datetime, keep: Callable[[str], bool]):
    """(key, value) of the table's entries in the window that contains ``now`` whose key ``keep`` accepts.
    Standby copies of other workers' partitions sit in the same store: ``keep`` leaves them out."""
    table = app.tables.get(table_name)
    if table is None:
        return
    size_s = size.total_seconds()
    start = now.timestamp() - now.timestamp() % size_s
    for (key, window), value in list(table.data.items()):
        if window[0] == start and keep(str(key)):
            yield str(key), value
