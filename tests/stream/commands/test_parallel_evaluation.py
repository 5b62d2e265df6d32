"""``evaluate --jobs N`` splits the leads over N processes and finds exactly what one
process finds: the same outcomes (as a set: the output is grouped by lead group), the
same rejected records in input order, the same counts."""

from __future__ import annotations

import random
from datetime import datetime, timezone

import pytest

from streams.commands.evaluation import evaluate_records, file_records
from streams.commands.parallel_evaluation import evaluate_in_parallel
from streams.kafka.codec import encode
from streams.runtime.policy_source import load_policy
from streams.simulator.traffic import ScheduledEvent, TrafficModel

START = datetime(2026, 3, 2, 14, tzinfo=timezone.utc)
POLICY = load_policy(None)


def _lines(events: int) -> list[bytes]:
    """Simulated traffic, shuffled a little, with a few broken lines among it."""
    lines = []
    for scheduled in TrafficModel(random.Random(5), leads_per_hour=600).schedule(START):
        if isinstance(scheduled, ScheduledEvent):
            lines.append(encode(scheduled.event))
            if len(lines) == events:
                break
    random.Random(1).shuffle(lines)
    lines[10:10] = [b'{"broken', b'{"schema_version": 1, "lead_id": "L-\\u202e", "kind": "handoff"}']
    lines[20:20] = [b'{"schema_version": 1, "kind": "deal_closed", "event_id": "d-%d", "deal_id": "D-%d", '
                    b'"lead_id": "L-%d", "occurred_at": "2026-03-02T15:00:00Z", "status": "won", "amount": 100}'
                    % (n, n, n) for n in range(3)]  # set aside by evaluate, and counted once
    return lines


@pytest.mark.parametrize("jobs", [2, 3])
def test_split_over_processes_finds_what_one_process_finds(tmp_path, jobs):
    lines = _lines(3000)
    one = evaluate_records(file_records(lines), POLICY)
    written: list[str] = []

    split = evaluate_in_parallel(lambda: file_records(lines), POLICY, None, jobs, written.append)

    expected = sorted(o.model_dump_json(exclude_none=True) + "\n" for o in one.outcomes)
    assert len(expected) > 500
    assert sorted(written) == expected
    assert split.rejected == one.rejected and len(one.rejected) == 2
    assert (split.events, split.duplicates, split.outcome_count) == (one.events, one.duplicates, len(expected))
    assert split.deals == one.deals == 3


def test_as_of_ends_every_group_at_the_same_time():
    lines = _lines(2000)
    as_of = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
    one = evaluate_records(file_records(lines), POLICY, as_of)
    written: list[str] = []

    split = evaluate_in_parallel(lambda: file_records(lines), POLICY, as_of, 2, written.append)

    assert sorted(written) == sorted(o.model_dump_json(exclude_none=True) + "\n" for o in one.outcomes)
    assert split.after_as_of == one.after_as_of > 0
