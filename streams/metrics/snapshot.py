""""How things are now" gauges, published whole from a snapshot of the tables.

The timer (streams.runtime.gauge_timer) computes everything in the event loop and hands a
finished list of metric families to ``SnapshotCollector.publish``; a scrape (on the
HTTP server's thread) only reads that list, so it never sees half an update nor
touches a table. Series the policy names are always present, at 0 when nothing is
waiting, so a dashboard shows 0 instead of "no data".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Iterable

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from models.lead_snapshot import LeadSnapshot
from models.policy import Policy
from streams.metrics import names
from streams.metrics.labels import LabelBounds

WAIT_STATUSES = ("on_time", "overdue")
PERIODS = ("open", "ended")
DEPTH_RESULTS = ("met", "breached")


class SnapshotCollector(Collector):
    def __init__(self) -> None:
        self._families: list[Metric] = []

    def publish(self, families: list[Metric]) -> None:
        self._families = families  # one reference swap: a scrape sees the old list or the new one

    def collect(self) -> Iterable[Metric]:
        return list(self._families)

    def describe(self) -> Iterable[Metric]:
        return []  # names vary with the policy; nothing to check for clashes up front


@dataclass
class LiveWindows:
    """The windowed live tables' current windows, summed over this worker's partitions."""

    contacted: Counter = field(default_factory=Counter)  # team -> leads first contacted this hour
    wall_seconds: Counter = field(default_factory=Counter)  # team -> their summed speed-to-lead
    business_seconds: Counter = field(default_factory=Counter)
    rep_attempts: Counter = field(default_factory=Counter)  # rep -> attempts today
    lead_attempts: list[int] = field(default_factory=list)  # attempts today of each lead attempted today


def _gauge(metric: names.Metric, values: dict[tuple, float]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(metric.name, metric.help, labels=list(metric.labels))
    for key, value in sorted(values.items()):
        family.add_metric(list(key), value)
    return family


def _bounded(counts: Counter, bound_key) -> Counter:
    merged: Counter = Counter()
    for key, value in counts.items():
        merged[bound_key(key)] += value
    return merged


def lead_families(snapshot: LeadSnapshot, policy: Policy, labels: LabelBounds) -> list[Metric]:
    teams, segments = sorted(policy.teams), [s.name for s in policy.segments]
    with_follow_up = [s.name for s in policy.segments if s.follow_up]
    by_team_segment = lambda key: (labels.team(key[0]), labels.segment(key[1]), key[2])  # noqa: E731
    waiting = dict.fromkeys(((t, s, w) for t in teams for s in segments for w in WAIT_STATUSES), 0.0)
    waiting.update(_bounded(snapshot.waiting, by_team_segment))
    oldest = dict.fromkeys(((t,) for t in teams), 0.0)
    for team, age in snapshot.oldest_wait_seconds.items():
        oldest[(labels.team(team),)] = max(age, oldest.get((labels.team(team),), 0.0))
    zero_depth = {(t, s, p): 0.0 for t in teams for s in with_follow_up for p in PERIODS}
    zero_ended = {(t, s, r): 0.0 for t in teams for s in with_follow_up for r in DEPTH_RESULTS}
    return [
        _gauge(names.TRACKED_LEADS, {(): snapshot.leads}),
        _gauge(names.RETIRED_LEADS, {(): snapshot.retired}),
        _gauge(names.LEADS_WAITING, waiting),
        _gauge(names.OLDEST_WAITING, oldest),
        _gauge(names.UNCONNECTED, zero_depth | _bounded(snapshot.unconnected, by_team_segment)),
        _gauge(names.UNCONNECTED_ATTEMPTS, zero_depth | _bounded(snapshot.unconnected_attempts, by_team_segment)),
        _gauge(names.FOLLOW_UP_ENDED, zero_ended | _bounded(snapshot.follow_up_ended, by_team_segment)),
    ]


def live_families(windows: LiveWindows, policy: Policy, labels: LabelBounds) -> list[Metric]:
    contacted = dict.fromkeys(((t,) for t in sorted(policy.teams)), 0.0)
    seconds = {(t, c): 0.0 for (t,) in contacted for c in ("wall", "business")}
    for team, count in windows.contacted.items():
        key = labels.team(team)
        contacted[(key,)] = contacted.get((key,), 0.0) + count
        seconds[(key, "wall")] = seconds.get((key, "wall"), 0.0) + windows.wall_seconds[team]
        seconds[(key, "business")] = seconds.get((key, "business"), 0.0) + windows.business_seconds[team]
    reps = _bounded(windows.rep_attempts, lambda rep: (labels.rep(rep),))
    return [
        _gauge(names.LIVE_CONTACTED, contacted),
        _gauge(names.LIVE_SPEED, seconds),
        _gauge(names.LIVE_REP_ATTEMPTS, dict(reps)),
        _gauge(names.LIVE_ATTEMPTED, {(): len(windows.lead_attempts)}),
        _gauge(names.LIVE_LEAD_ATTEMPTS, {(): sum(windows.lead_attempts)}),
        _gauge(names.LIVE_LEAD_ATTEMPTS_MAX, {(): max(windows.lead_attempts, default=0)}),
    ]


def health_families(lags: dict[int, timedelta], tick_age: timedelta | None) -> list[Metric]:
    families = [_gauge(names.WATERMARK_LAG, {(str(p),): lag.total_seconds() for p, lag in lags.items()})]
    if tick_age is not None:
        families.append(_gauge(names.TICK_AGE, {(): tick_age.total_seconds()}))
    return families
