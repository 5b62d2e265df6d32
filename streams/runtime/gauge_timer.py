"""The extension that keeps the "how things are now" gauges current.

A Faust timer reads (never writes: Faust forbids table writes outside stream
iteration) the lead-state table and the windowed live tables every few seconds,
for the timeline partitions this worker owns, and publishes the gauges whole. Being
recomputed from the tables, the gauges are right again as soon as a restarted
worker has recovered its tables. With several workers each reports its own
partitions; dashboards sum (or max) over workers. A lead's event-derived facts are
cached until its events change (models.lead_snapshot.FactsCache): a pass over
10,000 leads then takes about 0.2 s of the event loop.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

import faust
from prometheus_client.metrics_core import Metric

from models.goal import month_to_date
from models.lead_snapshot import FactsCache, summarize
from models.lead_state import LeadState
from models.policy import Policy
from streams.runtime.app import AppContext, Extension
from streams.runtime.live_tables import DAY, SPEED_WINDOW
from streams.metrics.pipeline import PipelineMetrics
from streams.metrics.snapshot import LiveWindows, health_families, lead_families, live_families, marketing_families

REFRESH_INTERVAL_S = 2.0
# Names of the live tables (streams.runtime.live_tables).
SPEED_TABLE = "speed-to-lead-by-team"
LEAD_ATTEMPTS_TABLE = "attempts-by-lead-day"
REP_ATTEMPTS_TABLE = "attempts-by-rep-day"


def metrics_extension(interval_s: float = REFRESH_INTERVAL_S) -> Extension:
    def extend(app: faust.App, context: AppContext) -> None:
        cache = FactsCache(context.policy)

        @app.timer(interval_s, name="refresh-gauges")
        async def refresh_gauges() -> None:
            publish_gauges(app, context, cache)

    return extend


def publish_gauges(app: faust.App, context: AppContext, cache: FactsCache) -> None:
    now = context.clock.now()
    mine = owned_partitions(app, context.settings.topics.timeline)
    states = [state for state in context.leads.values() if state.partition in mine]
    context.metrics.keep_partitions(mine)
    windows = read_live_windows(app, mine, {state.lead_id for state in states}, now)
    context.metrics.snapshot.publish(gauge_families(states, context.policy, context.metrics, now, windows, cache))


def gauge_families(states: Iterable[LeadState], policy: Policy, metrics: PipelineMetrics, now: datetime,
                   windows: LiveWindows, cache: FactsCache | None = None) -> list[Metric]:
    """Every now-gauge, from this worker's lead states and live windows."""
    zone = ZoneInfo(policy.calendars[policy.default_calendar].timezone)  # the business month's zone
    snapshot = summarize(states, policy, now, zone, cache)
    lags, tick_age = metrics.lag_behind(now)
    return (lead_families(snapshot, policy, metrics.labels)
            + marketing_families(snapshot, policy, metrics.labels, month_to_date(now, zone).today)
            + live_families(windows, policy, metrics.labels)
            + health_families(lags, tick_age))


def owned_partitions(app: faust.App, timeline: str) -> set[int]:
    """Timeline partitions assigned to this worker (standby copies of tables are not ours to report)."""
    return {tp.partition for tp in app.consumer.assignment() if tp.topic == timeline}


def read_live_windows(app: faust.App, mine: set[int], my_leads: set[str], now: datetime) -> LiveWindows:
    """Current hour / day windows of the live tables. Keys are ``name|partition`` (streams.runtime.live_tables)
    except the per-lead table's, lead ids, which live in their lead's partition."""
    in_mine = lambda key: key.rpartition("|")[2].isdigit() and int(key.rpartition("|")[2]) in mine  # noqa: E731
    windows = LiveWindows()
    for key, (count, wall, business) in _current(app, SPEED_TABLE, SPEED_WINDOW, now, in_mine):
        name = key.rpartition("|")[0]
        windows.contacted[name] += count
        windows.wall_seconds[name] += wall
        windows.business_seconds[name] += business
    for key, attempts in _current(app, REP_ATTEMPTS_TABLE, DAY, now, in_mine):
        windows.rep_attempts[key.rpartition("|")[0]] += attempts
    windows.lead_attempts = [n for _, n in _current(app, LEAD_ATTEMPTS_TABLE, DAY, now, my_leads.__contains__)]
    return windows


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
