"""The pipeline's own Prometheus metrics, on an injected registry.

Labels are bounded (kind, team, segment, reason, partition): never a lead id.
The agents call only the ``observe_*`` methods, so what is measured can grow
here without touching the stream code.
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge

from models.events import LeadEventBase, Tick
from models.outcomes import Outcome
from models.tracker import StepResult


class PipelineMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        self.events = Counter("leadsla_events_total", "Valid input events routed to the timeline.",
                              ["kind"], registry=r)
        self.dead_letters = Counter("leadsla_dead_letters_total", "Input records rejected to the dead-letter topic.",
                                    ["reason"], registry=r)
        self.outcomes = Counter("leadsla_outcomes_total", "Outcomes emitted, by kind.",
                                ["kind", "team", "segment"], registry=r)
        self.duplicates = Counter("leadsla_duplicate_events_total", "Events ignored as already seen.", registry=r)
        self.ticks_sent = Counter("leadsla_ticks_total", "Tick rounds written to the timeline.", registry=r)
        self.watermark = Gauge("leadsla_watermark_timestamp_seconds",
                               "Event-time watermark per timeline partition (Unix time).", ["partition"], registry=r)

    def observe_event(self, topic: str, event: LeadEventBase) -> None:
        self.events.labels(event.kind).inc()

    def observe_dead_letter(self, topic: str, code: str) -> None:
        self.dead_letters.labels(code).inc()

    def observe_tick(self, at: datetime) -> None:
        self.ticks_sent.inc()

    def observe_step(self, partition: int, entry: LeadEventBase | Tick, result: StepResult) -> None:
        if result.duplicate:
            self.duplicates.inc()
        self.watermark.labels(str(partition)).set(result.watermark.timestamp())

    def observe_outcome(self, outcome: Outcome) -> None:
        self.outcomes.labels(outcome.kind, outcome.team, outcome.segment).inc()
