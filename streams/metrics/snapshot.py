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
from datetime import date, timedelta
from typing import Iterable

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from models.goal import goal_to_date, monthly_goal, value_goal_to_date
from models.lead_snapshot import LeadSnapshot
from models.policy import Policy
from streams.metrics.labels import LabelBounds

WAIT_STATUSES = ("on_time", "overdue")
PERIODS = ("open", "ended")


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


def _gauge(name: str, doc: str, labels: list[str], values: dict[tuple, float]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=labels)
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
    return [
        _gauge("leadsla_tracked_leads", "Leads in this worker's part of the lead-state table.", [],
               {(): snapshot.leads}),
        _gauge("leadsla_leads_waiting", "Handed-off leads waiting for a first qualifying contact now; "
               "status overdue once their deadline passed.", ["team", "segment", "status"], waiting),
        _gauge("leadsla_oldest_waiting_lead_age_seconds", "Wall-clock time the team's longest-waiting lead "
               "has waited since handoff (0: none waiting).", ["team"], oldest),
        _gauge("leadsla_unconnected_leads", "Open leads nobody has connected with yet, by whether their "
               "follow-up period is still open or ended.", ["team", "segment", "period"],
               zero_depth | _bounded(snapshot.unconnected, by_team_segment)),
        _gauge("leadsla_unconnected_lead_attempts", "Qualifying attempts within the follow-up period on "
               "those leads (divide by leadsla_unconnected_leads for the average).", ["team", "segment", "period"],
               zero_depth | _bounded(snapshot.unconnected_attempts, by_team_segment)),
    ]


def marketing_families(snapshot: LeadSnapshot, policy: Policy, labels: LabelBounds, today: date) -> list[Metric]:
    """Month-to-date marketing leads against the goal line g x day / n (models.goal)."""
    goals = {goal.segment: goal for goal in policy.marketing_goals}
    leads = dict.fromkeys(((s,) for s in goals), 0.0)
    values = dict(leads)
    for segment, count in snapshot.marketing_leads.items():
        leads[(labels.lead_segment(segment),)] = leads.get((labels.lead_segment(segment),), 0.0) + count
    for segment, value in snapshot.marketing_value.items():
        values[(labels.lead_segment(segment),)] = values.get((labels.lead_segment(segment),), 0.0) + value
    return [
        _gauge("leadsla_marketing_leads_month_to_date", "Marketing-generated lead conversions this month.",
               ["segment"], leads),
        _gauge("leadsla_marketing_lead_value_month_to_date", "Value of those leads, where given.",
               ["segment"], values),
        _gauge("leadsla_marketing_goal_leads_month_to_date", "Goal line: monthly goal x day of month / days "
               "in month.", ["segment"], {(s,): goal_to_date(g, today) for s, g in goals.items()}),
        _gauge("leadsla_marketing_goal_value_month_to_date", "Goal line in value (pipeline).",
               ["segment"], {(s,): value_goal_to_date(g, today) for s, g in goals.items()}),
        _gauge("leadsla_marketing_goal_leads_monthly", "Monthly goal: quota x marketing share / average deal "
               "size / close rate.", ["segment"], {(s,): monthly_goal(g) for s, g in goals.items()}),
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
        _gauge("leadsla_live_hour_contacted_leads", "Leads first contacted in the current hour window "
               "(live table; expires with the window).", ["team"], contacted),
        _gauge("leadsla_live_hour_speed_to_lead_seconds", "Summed handoff-to-contact time of those leads "
               "(divide by leadsla_live_hour_contacted_leads for the average).", ["team", "clock"], seconds),
        _gauge("leadsla_live_day_rep_attempts", "Contact attempts per rep in the current day window.",
               ["rep"], dict(reps)),
        _gauge("leadsla_live_day_attempted_leads", "Leads with an attempt in the current day window.", [],
               {(): len(windows.lead_attempts)}),
        _gauge("leadsla_live_day_lead_attempts", "Attempts on those leads in the current day window.", [],
               {(): sum(windows.lead_attempts)}),
        _gauge("leadsla_live_day_lead_attempts_max", "Most attempts on one lead in the current day window.",
               [], {(): max(windows.lead_attempts, default=0)}),
    ]


def health_families(lags: dict[int, timedelta], tick_age: timedelta | None) -> list[Metric]:
    families = [_gauge("leadsla_watermark_lag_seconds", "How far each partition's watermark is behind now "
                       "(at least the policy's allowed lateness).", ["partition"],
                       {(str(p),): lag.total_seconds() for p, lag in lags.items()})]
    if tick_age is not None:
        families.append(_gauge("leadsla_tick_age_seconds", "Time since the last tick round; grows when the "
                               "pipeline is behind its inputs or stalled.", [], {(): tick_age.total_seconds()}))
    return families
