"""The pipeline's own Prometheus metrics, on an injected registry.

Labels are bounded (kind, topic, team, segment, source, result, reason, partition):
never a lead id; team and segment names the policy does not know become "other"
(streams.metrics.labels). The agents call only the ``observe_*`` methods, so what is
measured can grow here without touching the stream code.

Two kinds of numbers live here:
- counters and histograms, updated as entries and outcomes pass (this module);
- "how things are now" gauges (leads waiting, follow-up depth, marketing pace,
  watermark lag), recomputed every few seconds from the lead-state table by the
  timer in streams.runtime.gauge_timer and published whole through ``snapshot``.

How corrections are counted (each lead cycle once) is explained in streams.metrics.first_outcomes.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from models.events import LeadConverted, LeadEventBase, Tick
from models.outcomes import Outcome, withdrawn_kind
from models.policy import Policy
from models.tracker import StepResult
from streams.metrics import names
from streams.metrics.first_outcomes import step_firsts
from streams.metrics.labels import LabelBounds
from streams.metrics.snapshot import SnapshotCollector

# Speed-to-lead bucket bounds in seconds; the policy's targets are added to them, so
# "within target" is an exact bucket, never an interpolation.
BASE_BUCKETS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 57600, 86400, 172800, 345600, 604800)


def speed_buckets(policy: Policy | None) -> tuple[float, ...]:
    targets = [s.speed_to_lead.target.total_seconds() for s in policy.segments] if policy else []
    return tuple(sorted({float(b) for b in BASE_BUCKETS} | set(targets))) + (float("inf"),)


def create(metric: names.Metric, registry: CollectorRegistry, **options) -> Counter | Gauge | Histogram:
    """The prometheus_client object for a declared metric, on ``registry``."""
    kind = {names.COUNTER: Counter, names.GAUGE: Gauge, names.HISTOGRAM: Histogram}[metric.type]
    return kind(metric.name, metric.help, list(metric.labels), registry=registry, **options)


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry | None = None, policy: Policy | None = None) -> None:
        self.registry = r = registry or CollectorRegistry()
        self.labels = LabelBounds.of(policy)
        self.watermarks: dict[int, datetime] = {}  # partition -> watermark, for the lag gauge
        self.last_tick: datetime | None = None
        # pipeline health
        self.events, self.dead_letters = create(names.EVENTS, r), create(names.DEAD_LETTERS, r)
        self.entries, self.duplicates = create(names.TIMELINE_ENTRIES, r), create(names.DUPLICATES, r)
        self.ticks_sent, self.watermark = create(names.TICKS, r), create(names.WATERMARK, r)
        self.outcomes = create(names.OUTCOMES, r)
        # the broker as this worker sees it (streams.runtime.broker_watch): up from the start (the
        # worker reached it to create its topics); how long it has been away is computed at each scrape
        self.broker_up, self.broker_unreachable = create(names.BROKER_UP, r), create(names.BROKER_UNREACHABLE, r)
        self.broker_up.set(1)
        self._broker_answered_at: float | None = None  # None while it answers
        self.broker_unreachable.set_function(self._broker_unreachable_s)
        # leads: both sides of the agreement
        self.converted, self.converted_value = create(names.CONVERTED, r), create(names.CONVERTED_VALUE, r)
        self.handed_off, self.decided = create(names.HANDED_OFF, r), create(names.DECIDED, r)
        self.withdrawn, self.depth_breaches = create(names.WITHDRAWN, r), create(names.DEPTH_BREACHES, r)
        buckets = speed_buckets(policy)
        self.speed_wall = create(names.SPEED_TO_LEAD["wall"], r, buckets=buckets)
        self.speed_business = create(names.SPEED_TO_LEAD["business"], r, buckets=buckets)
        # now-gauges from the lead-state table (streams.runtime.gauge_timer)
        self.snapshot = SnapshotCollector()
        r.register(self.snapshot)
        if policy is not None:
            self._start_at_zero(policy)

    def _start_at_zero(self, policy: Policy) -> None:
        """Series the policy names exist from the start, so a quiet team shows 0, not "no data",
        and increase() sees the first event (a series born at 1 has no increase)."""
        pairs = [(team, s.name) for team in sorted(policy.teams) for s in policy.segments]
        for team, segment in pairs:
            self.speed_wall.labels(team, segment)
            self.speed_business.labels(team, segment)
            self.handed_off.labels(team, segment)
            self.depth_breaches.labels(team, segment)
            for result in ("met", "breached"):
                self.decided.labels(team, segment, result)
                self.withdrawn.labels(team, segment, result)
        for source in ("marketing", "sales"):
            for segment in sorted(self.labels.lead_segment.known or ()):
                self.converted.labels(source, segment)

    def observe_event(self, topic: str, event: LeadEventBase) -> None:
        self.events.labels(topic, event.kind).inc()

    def observe_dead_letter(self, topic: str, code: str) -> None:
        self.dead_letters.labels(topic, code).inc()

    def observe_tick(self, at: datetime) -> None:
        self.ticks_sent.inc()
        self.last_tick = at

    def observe_step(self, partition: int, entry: LeadEventBase | Tick, result: StepResult) -> None:
        self.entries.labels(entry.kind).inc()
        if result.duplicate:
            self.duplicates.inc()
        elif isinstance(entry, LeadConverted):
            self._observe_conversion(entry)
        self.watermark.labels(str(partition)).set(result.watermark.timestamp())
        self.watermarks[partition] = result.watermark
        self._count_firsts(result.outcomes)

    def observe_outcome(self, outcome: Outcome) -> None:
        self.outcomes.labels(outcome.kind, self.labels.team(outcome.team), self.labels.segment(outcome.segment)).inc()

    def _observe_conversion(self, event: LeadConverted) -> None:
        labels = (event.source, self.labels.lead_segment(event.segment))
        self.converted.labels(*labels).inc()
        if event.value:
            self.converted_value.labels(*labels).inc(event.value)

    def _count_firsts(self, outcomes: list[Outcome]) -> None:
        if not outcomes:
            return
        step = step_firsts(outcomes)
        for outcome in step.firsts["handed_off"]:
            self.handed_off.labels(*self._team_segment(outcome)).inc()
        for outcome in step.firsts["decided"]:
            self.decided.labels(*self._team_segment(outcome), outcome.kind).inc()
        for correction in step.withdrawn_decisions:
            self.withdrawn.labels(*self._team_segment(correction), withdrawn_kind(correction)).inc()
        for outcome in step.firsts["contacted"]:
            labels = self._team_segment(outcome)
            self.speed_wall.labels(*labels).observe(outcome.wall_seconds or 0.0)
            self.speed_business.labels(*labels).observe(outcome.business_seconds or 0.0)
        for outcome in step.firsts["depth"]:
            self.depth_breaches.labels(*self._team_segment(outcome)).inc()

    def _team_segment(self, outcome: Outcome) -> tuple[str, str]:
        return self.labels.team(outcome.team), self.labels.segment(outcome.segment)

    def keep_partitions(self, owned: set[int]) -> None:
        """Forget partitions moved to another worker: it reports them now."""
        for partition in set(self.watermarks) - owned:
            del self.watermarks[partition]
            self.watermark.remove(str(partition))

    def observe_broker(self, reachable: bool, last_answer_at: float) -> None:
        """Whether the broker answers now, and when it last did (Unix time)."""
        self.broker_up.set(1 if reachable else 0)
        self._broker_answered_at = None if reachable else last_answer_at

    def _broker_unreachable_s(self) -> float:
        answered_at = self._broker_answered_at
        return 0.0 if answered_at is None else max(0.0, time.time() - answered_at)

    def lag_behind(self, now: datetime) -> tuple[dict[int, timedelta], timedelta | None]:
        """Watermark lag per partition and the age of the last tick, as of ``now``."""
        lags = {partition: now - watermark for partition, watermark in self.watermarks.items()}
        return lags, (now - self.last_tick) if self.last_tick else None

    # --- alert delivery (owned by streams.runtime.alerting; keep this block last) ---------------------------
    # Created on first use, so this block needs no line in __init__; the alerting
    # extension calls it once per post to an Alertmanager ("ok" or "error").

    def observe_alert_delivery(self, alertmanager: str, result: str) -> None:
        self._alert_deliveries().labels(alertmanager, result).inc()

    def _alert_deliveries(self) -> Counter:
        counter = getattr(self, "_alert_deliveries_counter", None)
        if counter is None:
            counter = create(names.ALERT_DELIVERIES, self.registry)
            self._alert_deliveries_counter = counter
        return counter
