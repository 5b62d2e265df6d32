"""Drive PipelineMetrics the way the tracker agent does, without Faust: the pure Tracker
over a dict, ``observe_step`` then ``observe_outcome`` per entry (see streams.runtime.app._track)."""

from __future__ import annotations

from datetime import datetime, timedelta
from importlib.resources import files

from prometheus_client import CollectorRegistry

from models.events import Tick
from models.policy import Policy
from models.policy_file import parse_policy
from models.tracker import Tracker
from streams.metrics.pipeline import PipelineMetrics


def example_policy() -> Policy:
    return parse_policy(files("models").joinpath("example_policy.yaml").read_text(), "example_policy.yaml")


class Feed:
    def __init__(self, policy: Policy | None = None) -> None:
        self.policy = policy or example_policy()
        self.leads: dict = {}
        self.tracker = Tracker(self.policy, self.leads, {})
        self.registry = CollectorRegistry()
        self.metrics = PipelineMetrics(self.registry, policy=self.policy)
        self.outcomes: list = []

    def entry(self, entry, partition: int = 0) -> None:
        result = self.tracker.on_entry(partition, entry)
        self.metrics.observe_step(partition, entry, result)
        for outcome in result.outcomes:
            self.metrics.observe_outcome(outcome)
        self.outcomes += result.outcomes

    def events(self, events) -> None:
        for event in events:
            self.entry(event)

    def watermark_to(self, moment: datetime, partition: int = 0) -> None:
        """A tick that puts the watermark at ``moment``."""
        at = moment + self.policy.allowed_lateness
        self.entry(Tick(schema_version=1, at=at, partition=partition), partition)
        self.metrics.observe_tick(at)

    def value(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    def hours_later(self, base: datetime, hours: float) -> datetime:
        return base + timedelta(hours=hours)
