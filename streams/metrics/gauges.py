"""Every "how things are now" gauge, computed from a worker's lead states and live windows.

Pure over its inputs (no Faust): the timer in streams.runtime.gauge_timer reads the
tables and hands them here; tests call ``gauge_families`` directly.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable
from zoneinfo import ZoneInfo

from prometheus_client.metrics_core import Metric

from models.lead_snapshot import FactsCache, summarize
from models.lead_state import LeadState
from models.rep_load import rep_load
from models.policy import Policy
from streams.metrics.pipeline import PipelineMetrics
from streams.metrics.rep_gauges import rep_families
from streams.metrics.snapshot import LiveWindows, health_families, lead_families, live_families


def gauge_families(states: Iterable[LeadState], policy: Policy, metrics: PipelineMetrics, now: datetime,
                   windows: LiveWindows, cache: FactsCache | None = None) -> list[Metric]:
    """Every now-gauge, from this worker's lead states and live windows."""
    zone = ZoneInfo(policy.calendars[policy.default_calendar].timezone)  # where a rep's "today" begins
    states, cache = list(states), cache or FactsCache(policy)
    snapshot = summarize(states, policy, now, cache)
    lags, tick_age = metrics.lag_behind(now)
    return (lead_families(snapshot, policy, metrics.labels)
            + live_families(windows, policy, metrics.labels)
            + rep_families(rep_load(states, policy, now, zone, cache), policy, metrics.labels)
            + health_families(lags, tick_age))
