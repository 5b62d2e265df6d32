"""Offline evaluation: the tracker's pure core over recorded events.

The events come from a JSONL file or straight from the input topics (read with
kafka-python). Every event is applied first and time passes once at the end,
so the result does not depend on the order the records are read in: exactly
what the live pipeline has announced once it caught up. Invalid records are
reported with where they came from and skipped, as the live pipeline
dead-letters them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Iterable, Iterator

from models.events import LeadEventBase, Tick
from models.lead_state import LeadHistoryFull
from models.outcomes import Outcome
from models.policy import Policy
from models.tracker import Tracker
from streams.kafka.codec import InvalidMessage, decode_event

# A raw record: where it came from (line number or topic[partition]@offset),
# its bytes, and the kind its topic implies (None for a file: "kind" is required).
Record = tuple[int | str, bytes, str | None]
PROGRESS_EVERY = 50_000


@dataclass
class Evaluation:
    outcomes: list[Outcome] = field(default_factory=list)
    events: int = 0
    duplicates: int = 0
    after_as_of: int = 0
    rejected: list[tuple[int | str, str]] = field(default_factory=list)  # (where, reason)


def file_records(lines: Iterable[str]) -> Iterator[Record]:
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line.encode(), None


def topic_records(bootstrap: str, topic_kinds: dict[str, str]) -> Iterator[Record]:
    """Every record of the input topics, from the beginning (kafka-python, no group)."""
    from streams.kafka.admin import read_topic

    for topic, kind in topic_kinds.items():
        for record in read_topic(bootstrap, topic, timeout_s=600):
            yield f"{topic}[{record.partition}]@{record.offset}", record.value or b"", kind


def evaluate(lines: Iterable[str], policy: Policy, as_of: datetime | None = None) -> Evaluation:
    return evaluate_records(file_records(lines), policy, as_of)


def evaluate_records(records: Iterable[Record], policy: Policy, as_of: datetime | None = None,
                     progress: Callable[[int], None] | None = None) -> Evaluation:
    """Outcomes decided by ``as_of`` (the watermark then stands at as_of exactly;
    events stamped later are left out). Without it the watermark ends at the
    last event time minus the allowed lateness."""
    report = Evaluation()
    tracker = Tracker(policy, {}, {})
    latest = None
    for where, event in _decoded(records, report):
        if as_of is not None and event.occurred_at > as_of:
            report.after_as_of += 1
            continue
        latest = max(latest or event.occurred_at, event.occurred_at)
        _apply(tracker, where, event, report)
        if progress and report.events % PROGRESS_EVERY == 0:
            progress(report.events)
    final_time = as_of + policy.allowed_lateness if as_of is not None else latest
    if final_time is not None:
        report.outcomes += tracker.on_entry(0, Tick(schema_version=1, at=final_time, partition=0)).outcomes
    return report


def _decoded(records: Iterable[Record], report: Evaluation) -> Iterator[tuple[int | str, LeadEventBase]]:
    for where, raw, kind in records:
        try:
            yield where, decode_event(raw, kind)
        except InvalidMessage as invalid:
            report.rejected.append((where, str(invalid)))


def _apply(tracker: Tracker, where: int | str, event: LeadEventBase, report: Evaluation) -> None:
    try:
        result = tracker.on_entry(0, event)
    except LeadHistoryFull as full:
        report.rejected.append((where, f"lead_history_full: {full}"))
        return
    report.events += 1
    report.duplicates += result.duplicate
    report.outcomes += result.outcomes
