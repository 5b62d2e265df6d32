"""Offline evaluation: the tracker's pure core over recorded events.

The events come from a JSONL file or straight from the input topics (read with
kafka-python). They are replayed in event-time order, with the watermark trailing the
latest event by the allowed lateness, as a live worker sees them when nothing arrives
late: the same outcomes, whatever order the records were stored in. To keep memory
bounded whatever the input size, records are spooled to a temporary file on a first
pass (which also validates them) and read back in time order on a second; only a time
and an offset per record stay in memory, and retired leads leave only a tombstone.
Invalid records are reported with where they came from and skipped, as the live
pipeline dead-letters them.
"""

from __future__ import annotations

import pickle
import tempfile
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, Callable, Iterable, Iterator

from models.events import TRACKED_KINDS, LeadEventBase, Tick
from models.outcomes import Outcome
from models.policy import Policies
from models.tracker import Tracker
from streams.kafka.cluster import KafkaCluster
from streams.kafka.codec import InvalidMessage, decode_event

# A raw record: where it came from (line number or topic[partition]@offset),
# its bytes, and the kind its topic implies (None for a file: "kind" is required).
Record = tuple[int | str, bytes, str | None]
PROGRESS_EVERY = 50_000


@dataclass
class Evaluation:
    """What an evaluation found. Outcomes go to ``sink`` when one is given (a long audit
    streams them out instead of holding them), else they are collected in ``outcomes``."""

    outcomes: list[Outcome] = field(default_factory=list)
    sink: Callable[[Outcome], None] | None = None
    outcome_count: int = 0
    events: int = 0
    duplicates: int = 0
    after_as_of: int = 0
    deals: int = 0  # closed deals: valid, but for `leadsla goals`, not the SLA tracker
    rejected: list[tuple[int | str, str]] = field(default_factory=list)  # (where, reason)

    def found(self, outcomes: list[Outcome]) -> None:
        self.outcome_count += len(outcomes)
        if self.sink is None:
            self.outcomes += outcomes
        else:
            for outcome in outcomes:
                self.sink(outcome)


def file_records(lines: Iterable[str | bytes]) -> Iterator[Record]:
    """Lines as bytes: a file is read in binary, so a line that is not UTF-8 is a rejected
    record like any other, not an error that stops the whole file."""
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield number, line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass"), None


def topic_records(bootstrap: str | KafkaCluster, topic_kinds: dict[str, str]) -> Iterator[Record]:
    """Every record of the input topics, from the beginning (kafka-python, no group)."""
    from streams.kafka.admin import read_topic

    for topic, kind in topic_kinds.items():
        for record in read_topic(bootstrap, topic, timeout_s=600):
            yield f"{topic}[{record.partition}]@{record.offset}", record.value or b"", kind


def evaluate(lines: Iterable[str | bytes], policy: Policies, as_of: datetime | None = None) -> Evaluation:
    return evaluate_records(file_records(lines), policy, as_of)


def evaluate_records(records: Iterable[Record], policy: Policies, as_of: datetime | None = None,
                     progress: Callable[[int], None] | None = None,
                     sink: Callable[[Outcome], None] | None = None) -> Evaluation:
    """Outcomes decided by ``as_of`` (the watermark then stands at as_of exactly;
    events stamped later are left out). Without it the watermark ends at the
    last event time minus the allowed lateness."""
    report = Evaluation(sink=sink)
    with tempfile.TemporaryFile(prefix="leadsla-evaluate-") as spool:
        times, offsets = spool_valid(records, spool, report, as_of)
        latest = max(times) if times else None
        replay(spool, times, offsets, policy, report, end_time(policy, as_of, latest), progress)
    return report


def end_time(policy: Policies, as_of: datetime | None, latest: float | None) -> datetime | None:
    """Where the clock ends: as_of plus the lateness (so the watermark stands at as_of),
    else the latest event's time."""
    if as_of is not None:
        return as_of + policy.allowed_lateness
    return datetime.fromtimestamp(latest, timezone.utc) if latest is not None else None


def replay(spool: IO[bytes], times: array, offsets: array, policy: Policies, report: Evaluation,
           final_time: datetime | None, progress: Callable[[int], None] | None = None) -> None:
    """Second pass: the spooled events through the tracker in time order, then time up to ``final_time``."""
    tracker = Tracker(policy, {}, {})
    for where, event in _in_time_order(spool, times, offsets):
        _apply(tracker, where, event, report)
        if progress and report.events % PROGRESS_EVERY == 0:
            progress(report.events)
    if final_time is not None:
        report.found(_final(tracker, final_time))


def spool_valid(records: Iterable[Record], spool: IO[bytes], report: Evaluation,
                as_of: datetime | None, on_event: Callable[[object], None] | None = None) -> tuple[array, array]:
    """First pass: validate every record; write the valid ones to ``spool``. ``on_event`` sees every
    valid event up to ``as_of``, deals included (the report's marketing figures read them)."""
    times, offsets = array("d"), array("q")
    for where, raw, kind in records:
        try:
            event = decode_event(raw, kind)
        except InvalidMessage as invalid:
            report.rejected.append((where, str(invalid)))
            continue
        in_time = as_of is None or event.occurred_at <= as_of
        if on_event is not None and in_time:
            on_event(event)
        if event.kind not in TRACKED_KINDS:
            report.deals += 1
            continue
        if not in_time:
            report.after_as_of += 1
            continue
        times.append(event.occurred_at.timestamp())
        offsets.append(spool.tell())
        pickle.dump((where, event), spool, protocol=pickle.HIGHEST_PROTOCOL)  # validated once, not again
    return times, offsets


def _in_time_order(spool: IO[bytes], times: array, offsets: array) -> Iterator[tuple[int | str, LeadEventBase]]:
    """Second pass: the spooled records in event-time order (stable: ties keep input order)."""
    order = array("q", sorted(range(len(times)), key=times.__getitem__))  # 8 bytes a record, not 36
    previous = -2
    for index in order:
        if index != previous + 1:  # a seek drops the read buffer: records already in order need none
            spool.seek(offsets[index])
        previous = index
        yield pickle.load(spool)


def _final(tracker: Tracker, final_time: datetime) -> list[Outcome]:
    return tracker.on_entry(0, Tick(schema_version=1, at=final_time, partition=0)).outcomes


def _apply(tracker: Tracker, where: int | str, event: LeadEventBase, report: Evaluation) -> None:
    """The watermark trails this event by the allowed lateness, as on a live worker."""
    report.found(tracker.pass_time(0, event.occurred_at))
    result = tracker.on_entry(0, event)
    report.found(result.outcomes)
    if result.rejected:
        report.rejected.append((where, f"lead_retired: {result.rejected}"))
        return
    report.events += 1
    report.duplicates += result.duplicate
