"""Offline evaluation over JSONL: the tracker's own results, cut at --as-of, bad lines reported."""

from __future__ import annotations

import json
import random

from models.outcomes import Outcome
from models.tracker import Tracker
from streams.commands.evaluation import evaluate
from tests.pure.events import as_json_line, attempt, converted, et, example_policy, handoff, tick

POLICY = example_policy()

EVENTS = [
    # lead-1: handed off at 10:00, nobody calls until 10:20 (late).
    converted(et(1, 9, 50), "lead-1"),
    handoff(et(1, 10), "lead-1"),
    # lead-2: called four minutes after the handoff (met).
    converted(et(1, 9, 55), "lead-2"),
    handoff(et(1, 10), "lead-2", rep="rep-b"),
    attempt(et(1, 10, 4), "lead-2", rep="rep-b", outcome="connected"),
    attempt(et(1, 10, 20), "lead-1", outcome="connected"),
    # lead-3: handed off at 11:50; its warning (12:00) is still ahead of the final watermark.
    converted(et(1, 11, 45), "lead-3"),
    handoff(et(1, 11, 50), "lead-3", rep="rep-c"),
    attempt(et(1, 12), "lead-3", rep="rep-c"),  # the last event time
]
LINES = [as_json_line(e) for e in EVENTS]


def sorted_outcomes(outcomes: list[Outcome]) -> list[Outcome]:
    return sorted(outcomes, key=Outcome.sort_key)


def summary(outcomes: list[Outcome]) -> list[tuple]:
    return [(o.outcome_id, o.at) for o in sorted_outcomes(outcomes)]


def test_evaluate_equals_feeding_the_tracker_directly():
    tracker = Tracker(POLICY, {}, {})
    direct: list[Outcome] = []
    for event in EVENTS:
        direct += tracker.on_entry(0, event).outcomes
    direct += tracker.on_entry(0, tick(et(1, 12))).outcomes  # the clock of the last event

    report = evaluate(LINES, POLICY)
    assert sorted_outcomes(report.outcomes) == sorted_outcomes(direct)
    assert (report.events, report.duplicates, report.after_as_of, report.rejected) == (len(EVENTS), 0, 0, [])
    assert summary(report.outcomes) == [
        ("lead-1/1/opened", et(1, 10)),
        ("lead-2/1/opened", et(1, 10)),
        ("lead-2/1/met", et(1, 10, 4)),
        ("lead-1/1/warning", et(1, 10, 10)),
        ("lead-1/1/breached", et(1, 10, 15)),
        ("lead-1/1/contacted_late", et(1, 10, 20)),
        ("lead-3/1/opened", et(1, 11, 50)),
    ]
    late = next(o for o in report.outcomes if o.kind == "contacted_late")
    assert (late.owner_rep, late.deadline_at, late.business_seconds) == ("rep-a", et(1, 10, 15), 1200.0)


def test_file_order_does_not_change_the_outcomes():
    shuffled = LINES[:]
    random.Random(7).shuffle(shuffled)
    assert shuffled != LINES
    assert sorted_outcomes(evaluate(shuffled, POLICY).outcomes) == sorted_outcomes(evaluate(LINES, POLICY).outcomes)
    assert sorted_outcomes(evaluate(LINES[::-1], POLICY).outcomes) == sorted_outcomes(evaluate(LINES, POLICY).outcomes)


def test_as_of_decides_deadlines_up_to_that_instant_exactly():
    report = evaluate(LINES, POLICY, as_of=et(1, 10, 15))
    assert summary(report.outcomes) == [
        ("lead-1/1/opened", et(1, 10)),
        ("lead-2/1/opened", et(1, 10)),
        ("lead-2/1/met", et(1, 10, 4)),
        ("lead-1/1/warning", et(1, 10, 10)),
        ("lead-1/1/breached", et(1, 10, 15)),
    ]
    # The 10:20 call, and everything about lead-3, happened after as_of.
    assert (report.events, report.after_as_of) == (5, 4)


def test_as_of_one_second_before_the_deadline_has_no_breach():
    report = evaluate(LINES, POLICY, as_of=et(1, 10, 14, 59))
    assert [o.outcome_id for o in sorted_outcomes(report.outcomes)][-1] == "lead-1/1/warning"
    assert "breached" not in {o.kind for o in report.outcomes}


def test_as_of_far_ahead_decides_every_deadline():
    report = evaluate(LINES, POLICY, as_of=et(30, 9))
    lead_3 = [(o.kind, o.at, o.attempts) for o in sorted_outcomes(report.outcomes) if o.lead_id == "lead-3"]
    # The call at 12:00 is exactly the warning time: no warning, the SLA is met.
    assert lead_3 == [
        ("opened", et(1, 11, 50), None),
        ("met", et(1, 12), None),
        ("depth_breached", et(12, 17), 1),
    ]


def test_event_stamped_exactly_at_as_of_is_included():
    lines = [as_json_line(e) for e in (converted(et(1, 9, 50)), handoff(et(1, 10)), attempt(et(1, 10, 15)))]
    report = evaluate(lines, POLICY, as_of=et(1, 10, 15))
    assert [(o.kind, o.at) for o in sorted_outcomes(report.outcomes)] == [
        ("opened", et(1, 10)),
        ("warning", et(1, 10, 10)),
        ("met", et(1, 10, 15)),
    ]
    assert report.after_as_of == 0


def test_invalid_lines_are_reported_with_their_numbers_and_valid_ones_processed():
    naive = json.loads(LINES[1])
    naive["occurred_at"] = "2026-06-01T10:00:00"
    lines = [
        LINES[0],                                       # 1
        "{oops",                                        # 2
        "",                                             # 3 (blank: skipped, still counted)
        json.dumps({**json.loads(LINES[1]), "schema_version": 2}),  # 4
        json.dumps(naive),                              # 5
        LINES[1],                                       # 6
        "[]",                                           # 7
        LINES[1],                                       # 8 (a duplicate, not an error)
    ]
    report = evaluate(lines, POLICY, as_of=et(1, 10, 15))
    assert report.rejected == [
        (2, "malformed_json: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (4, "unknown_schema_version: schema_version 2: this leadsla reads version 1"),
        (5, "invalid_field: occurred_at: Input should have timezone info"),
        (7, "not_an_object: expected a JSON object, got list"),
    ]
    assert (report.events, report.duplicates) == (3, 1)
    assert [o.kind for o in sorted_outcomes(report.outcomes)] == ["opened", "warning", "breached"]


def test_empty_input_gives_an_empty_report():
    report = evaluate([], POLICY)
    assert (report.outcomes, report.events, report.rejected) == ([], 0, [])
