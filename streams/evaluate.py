"""Offline evaluation: the tracker's pure core over a JSONL file of events.

The file's order is the arrival order; everything is one partition, so one
watermark advances over the whole file. Invalid lines are reported with their
line number and skipped, the way the live pipeline dead-letters them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, Iterator

from models.events import LeadEventBase, Tick
from models.lead_state import LeadHistoryFull
from models.outcomes import Outcome
from models.policy import Policy
from models.tracker import Tracker
from streams.codec import InvalidMessage, decode_event


@dataclass
class Evaluation:
    outcomes: list[Outcome] = field(default_factory=list)
    events: int = 0
    duplicates: int = 0
    after_as_of: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    line_number: int = 0  # of the line being read


def read_events(lines: Iterable[str], report: Evaluation) -> Iterator[LeadEventBase]:
    for number, line in enumerate(lines, start=1):
        report.line_number = number
        if not line.strip():
            continue
        try:
            yield decode_event(line.encode())
        except InvalidMessage as invalid:
            report.rejected.append((number, str(invalid)))


def evaluate(lines: Iterable[str], policy: Policy, as_of: datetime | None = None) -> Evaluation:
    """Outcomes decided by ``as_of`` (the watermark then stands at as_of exactly;
    events stamped later are left out). Without it the watermark ends at the
    last event time minus the allowed lateness. Like the live pipeline once it
    has caught up: every event is in before time is allowed to pass."""
    report = Evaluation()
    tracker = Tracker(policy, {}, {})
    latest = None
    for event in read_events(lines, report):
        if as_of is not None and event.occurred_at > as_of:
            report.after_as_of += 1
            continue
        report.events += 1
        latest = max(latest or event.occurred_at, event.occurred_at)
        try:
            result = tracker.on_entry(0, event)
        except LeadHistoryFull as full:
            report.rejected.append((report.line_number, f"lead_history_full: {full}"))
            continue
        report.duplicates += result.duplicate
        report.outcomes += result.outcomes
    final_time = as_of + policy.allowed_lateness if as_of is not None else latest
    if final_time is not None:
        report.outcomes += tracker.on_entry(0, Tick(schema_version=1, at=final_time, partition=0)).outcomes
    return report
