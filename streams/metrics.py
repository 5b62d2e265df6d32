"""The pipeline's own Prometheus metrics, on an injected registry.

Labels are bounded (kind, team, segment, reason, partition): never a lead id.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

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
        self.ticks_sent = Counter("leadsla_ticks_sent_total", "Ticks written to timeline partitions.", registry=r)
        self.watermark = Gauge("leadsla_watermark_timestamp_seconds",
                               "Event-time watermark per timeline partition (Unix time).", ["partition"], registry=r)

    def observe_step(self, partition: int, result: StepResult) -> None:
        if result.duplicate:
            self.duplicates.inc()
        self.watermark.labels(str(partition)).set(result.watermark.timestamp())
