"""The lead lifecycle: every transition of the fold, the speed and depth verdicts, and
the guarantees about arrival order, duplicates and late data.

Times are New York wall times in June 2026 (EDT): Monday the 1st, Friday the 5th,
Saturday the 6th, Monday the 8th. The lead converts into the example policy's
`enterprise-demo` segment (15 business minutes, warning 5m before, escalations
+15m manager and +1h head_of_sales, 8 attempts within 10 business days).
"""

from __future__ import annotations

import itertools
import json
from datetime import timedelta

import pytest

from models.cycles import TRANSITIONS, Phase, event_order, fold
from models.lead_state import apply_event
from models.outcomes import Outcome
from models.policy_file import parse_policy
from models.state_codec import state_from_value, state_to_value
from models.tracker import Tracker
from tests.pure.events import (
    LEAD,
    advance_to,
    attempt,
    by_id,
    clock_at,
    converted,
    et,
    example_policy,
    example_with,
    feed,
    give_back,
    handoff,
    ids,
    kinds,
    outcomes_of,
    reassign,
)

CONVERSION = converted(et(1, 9, 50))
HANDOFF = handoff(et(1, 10))
ALL_SPEED = ["opened", "warning", "breached", "escalated", "escalated"]
DEPTH_END_JUNE_1 = et(12, 17)  # close of the 10th business day counted from Monday 1 June

COVERED: dict[tuple[Phase, str], str] = {}


def covers(phase: Phase, signal: str):
    """Registers a test as the evidence for one (phase, signal) entry of TRANSITIONS."""

    def register(test):
        assert (phase, signal) not in COVERED, f"{phase}, {signal} covered twice"
        COVERED[(phase, signal)] = test.__name__
        return test

    return register


# --- the transition table, entry by entry ---------------------------------------------------------


@covers(Phase.NEW, "converted")
def test_conversion_before_handoff_decides_the_segment():
    with_conversion = outcomes_of([CONVERSION, HANDOFF])
    without = outcomes_of([HANDOFF])
    assert {o.segment for o in with_conversion} == {"enterprise-demo"}
    assert {o.source for o in with_conversion} == {"marketing"}
    # Without the conversion the lead is unknown: only the catch-all segment fits.
    assert {o.segment for o in without} == {"default"}
    assert by_id(without)["lead-1/1/breached"].at == et(2, 10)  # 8 business hours: 7 on Monday, 1 on Tuesday


@covers(Phase.NEW, "assign")
def test_assign_opens_cycle_one_with_its_deadline():
    opened = by_id(outcomes_of([CONVERSION, HANDOFF]))["lead-1/1/opened"]
    assert (opened.kind, opened.cycle, opened.at) == ("opened", 1, et(1, 10))
    assert (opened.owner_rep, opened.team) == ("rep-a", "enterprise")
    assert opened.handoff_at == et(1, 10)
    assert opened.deadline_at == et(1, 10, 15)
    assert opened.clock == "business"


@covers(Phase.NEW, "return")
def test_return_before_any_handoff_is_ignored():
    early_return = give_back(et(1, 9, 55))
    found = outcomes_of([CONVERSION, early_return, HANDOFF])
    assert found == outcomes_of([CONVERSION, HANDOFF])
    assert "returned" not in kinds(found)
    assert {o.cycle for o in found} == {1}


@covers(Phase.NEW, "attempt")
def test_attempt_before_handoff_does_not_count():
    early_call = attempt(et(1, 9, 58), outcome="connected")
    found = by_id(outcomes_of([CONVERSION, early_call, HANDOFF]))
    assert "lead-1/1/met" not in found
    assert found["lead-1/1/breached"].at == et(1, 10, 15)
    assert found["lead-1/1/depth_breached"].attempts == 0


@covers(Phase.OPEN, "converted")
def test_conversion_stamped_after_the_handoff_still_describes_the_lead():
    late_conversion = converted(et(1, 10, 0, 10))
    found = outcomes_of([HANDOFF, late_conversion])
    assert {o.segment for o in found} == {"enterprise-demo"}
    assert {o.source for o in found} == {"marketing"}
    assert by_id(found)["lead-1/1/breached"].at == et(1, 10, 15)


def test_handoff_segment_wins_over_a_later_conversion():
    mid_market_handoff = handoff(et(1, 10), segment="mid-market")
    found = outcomes_of([mid_market_handoff, converted(et(1, 10, 0, 10))])
    assert {o.segment for o in found} == {"mid-market"}
    assert by_id(found)["lead-1/1/breached"].at == et(1, 11)


@covers(Phase.OPEN, "assign")
def test_reassignment_while_waiting_is_announced_with_the_new_owner():
    found = by_id(outcomes_of([CONVERSION, HANDOFF, reassign(et(1, 10, 12), "rep-b", team="inbound-east")]))
    moved = found["lead-1/1/reassigned/1"]
    assert (moved.kind, moved.at, moved.owner_rep, moved.team) == ("reassigned", et(1, 10, 12), "rep-b", "inbound-east")
    assert moved.deadline_at == et(1, 10, 15)


@covers(Phase.OPEN, "return")
def test_return_before_the_deadline_stops_the_clocks():
    found = outcomes_of([CONVERSION, HANDOFF, give_back(et(1, 10, 5))])
    assert ids(found) == ["lead-1/1/opened", "lead-1/1/returned"]
    returned = found[1]
    assert (returned.at, returned.owner_rep, returned.business_seconds) == (et(1, 10, 5), "rep-a", 300.0)


@covers(Phase.OPEN, "attempt")
def test_first_qualifying_attempt_meets_the_sla():
    found = outcomes_of([CONVERSION, HANDOFF, attempt(et(1, 10, 4), outcome="connected")])
    assert ids(found) == ["lead-1/1/opened", "lead-1/1/met"]
    met = found[1]
    assert (met.at, met.contact_at, met.owner_rep) == (et(1, 10, 4), et(1, 10, 4), "rep-a")
    assert (met.business_seconds, met.wall_seconds) == (240.0, 240.0)


@covers(Phase.RETURNED, "converted")
def test_conversion_while_returned_describes_the_next_cycle_only():
    events = [
        CONVERSION,
        HANDOFF,
        give_back(et(1, 10, 5)),
        converted(et(1, 10, 30), segment="mid-market", offer=None),
        handoff(et(1, 11), rep="rep-c"),
    ]
    found = outcomes_of(events)
    assert {o.segment for o in found if o.cycle == 1} == {"enterprise-demo"}
    assert {o.segment for o in found if o.cycle == 2} == {"mid-market"}
    assert by_id(found)["lead-1/2/breached"].at == et(1, 12)  # mid-market: 1 business hour


@covers(Phase.RETURNED, "assign")
def test_recycled_lead_starts_cycle_two_with_its_own_outcomes():
    events = [CONVERSION, HANDOFF, give_back(et(1, 10, 5)), handoff(et(1, 11), rep="rep-c")]
    found = outcomes_of(events)
    assert ids(found)[:2] == ["lead-1/1/opened", "lead-1/1/returned"]
    second = [o for o in found if o.cycle == 2]
    assert [(o.outcome_id, o.at) for o in second] == [
        ("lead-1/2/opened", et(1, 11)),
        ("lead-1/2/warning", et(1, 11, 10)),
        ("lead-1/2/breached", et(1, 11, 15)),
        ("lead-1/2/escalated/1", et(1, 11, 30)),
        ("lead-1/2/escalated/2", et(1, 12, 15)),
        ("lead-1/2/depth_breached", DEPTH_END_JUNE_1),
    ]
    assert {(o.owner_rep, o.handoff_at, o.deadline_at) for o in second} == {("rep-c", et(1, 11), et(1, 11, 15))}


@covers(Phase.RETURNED, "return")
def test_second_return_is_ignored():
    events = [CONVERSION, HANDOFF, give_back(et(1, 10, 5)), give_back(et(1, 10, 40))]
    assert [(o.outcome_id, o.at, o.owner_rep) for o in outcomes_of(events)] == [
        ("lead-1/1/opened", et(1, 10), "rep-a"),
        ("lead-1/1/returned", et(1, 10, 5), "rep-a"),
    ]
    (cycle,) = fold(sorted(events, key=event_order)).cycles
    assert (cycle.returned_at, [o.rep for o in cycle.owners]) == (et(1, 10, 5), ["rep-a"])


@covers(Phase.RETURNED, "attempt")
def test_attempt_after_return_is_outside_any_clock():
    events = [CONVERSION, HANDOFF, give_back(et(1, 10, 5)), attempt(et(1, 10, 7), outcome="connected")]
    assert [(o.outcome_id, o.at) for o in outcomes_of(events)] == [
        ("lead-1/1/opened", et(1, 10)),
        ("lead-1/1/returned", et(1, 10, 5)),
    ]
    # Nor does it count for the next cycle, nor is it kept as evidence of the returned one.
    recycled = events + [handoff(et(1, 11), rep="rep-c")]
    assert [(o.kind, o.at) for o in outcomes_of(recycled) if o.cycle == 2][:3] == [
        ("opened", et(1, 11)),
        ("warning", et(1, 11, 10)),
        ("breached", et(1, 11, 15)),
    ]
    assert [cycle.attempts for cycle in fold(sorted(recycled, key=event_order)).cycles] == [[], []]


def test_every_transition_has_a_test():
    assert set(COVERED) == set(TRANSITIONS), sorted(set(TRANSITIONS) ^ set(COVERED), key=str)


# --- speed to lead ------------------------------------------------------------------------------


def test_speed_outcomes_for_a_monday_morning_handoff():
    found = outcomes_of([CONVERSION, HANDOFF])
    assert [(o.outcome_id, o.at, o.business_seconds, o.level, o.notify) for o in found] == [
        ("lead-1/1/opened", et(1, 10), 0.0, None, None),
        ("lead-1/1/warning", et(1, 10, 10), 600.0, None, None),
        ("lead-1/1/breached", et(1, 10, 15), 900.0, None, None),
        ("lead-1/1/escalated/1", et(1, 10, 30), 1800.0, 1, "manager"),
        ("lead-1/1/escalated/2", et(1, 11, 15), 4500.0, 2, "head_of_sales"),
        ("lead-1/1/depth_breached", DEPTH_END_JUNE_1, 79 * 3600.0, None, None),
    ]
    assert {(o.handoff_at, o.deadline_at, o.owner_rep, o.team, o.segment) for o in found} == {
        (et(1, 10), et(1, 10, 15), "rep-a", "enterprise", "enterprise-demo")
    }


def test_friday_afternoon_handoff_waits_over_the_weekend():
    found = outcomes_of([CONVERSION, handoff(et(5, 16, 55))])
    assert [(o.kind, o.at, o.business_seconds, o.wall_seconds) for o in found if o.kind != "depth_breached"] == [
        ("opened", et(5, 16, 55), 0.0, 0.0),
        ("warning", et(8, 9, 5), 600.0, 600.0 + 2 * 86400 + 16 * 3600),
        ("breached", et(8, 9, 10), 900.0, 900.0 + 2 * 86400 + 16 * 3600),
        ("escalated", et(8, 9, 25), 1800.0, 1800.0 + 2 * 86400 + 16 * 3600),
        ("escalated", et(8, 10, 10), 4500.0, 4500.0 + 2 * 86400 + 16 * 3600),
    ]
    assert {o.deadline_at for o in found} == {et(8, 9, 10)}


def test_saturday_handoff_is_due_monday_at_nine_fifteen():
    found = by_id(outcomes_of([CONVERSION, handoff(et(6, 10))]))
    breached = found["lead-1/1/breached"]
    assert (breached.at, breached.deadline_at, breached.handoff_at) == (et(8, 9, 15), et(8, 9, 15), et(6, 10))
    assert breached.business_seconds == 900.0
    assert found["lead-1/1/warning"].at == et(8, 9, 10)
    assert found["lead-1/1/opened"].at == et(6, 10)


def test_contact_exactly_at_the_deadline_is_met():
    found = outcomes_of([CONVERSION, HANDOFF, attempt(et(1, 10, 15), outcome="connected")])
    assert [(o.kind, o.at) for o in found] == [
        ("opened", et(1, 10)),
        ("warning", et(1, 10, 10)),
        ("met", et(1, 10, 15)),
    ]
    assert found[-1].business_seconds == 900.0


def test_contact_one_second_after_the_deadline_is_late():
    found = outcomes_of([CONVERSION, HANDOFF, attempt(et(1, 10, 15, 1), outcome="connected")])
    assert [(o.kind, o.at) for o in found] == [
        ("opened", et(1, 10)),
        ("warning", et(1, 10, 10)),
        ("breached", et(1, 10, 15)),
        ("contacted_late", et(1, 10, 15, 1)),
    ]


def test_contact_after_the_breach_records_a_late_contact_and_stops_escalation():
    found = outcomes_of([CONVERSION, HANDOFF, attempt(et(1, 10, 20), rep="rep-a", outcome="connected")])
    assert kinds(found) == ["opened", "warning", "breached", "contacted_late"]
    late = found[-1]
    assert (late.at, late.contact_at, late.deadline_at) == (et(1, 10, 20), et(1, 10, 20), et(1, 10, 15))
    assert (late.business_seconds, late.owner_rep) == (1200.0, "rep-a")


def test_only_the_first_qualifying_contact_counts():
    events = [CONVERSION, HANDOFF, attempt(et(1, 10, 20), outcome="connected"), attempt(et(1, 10, 25), rep="rep-b")]
    assert [(o.kind, o.contact_at) for o in outcomes_of(events) if o.contact_at] == [("contacted_late", et(1, 10, 20))]


def test_automated_touch_does_not_qualify_under_the_example_policy():
    autoresponder = attempt(et(1, 10, 1), channel="email", outcome="replied", automated=True)
    found = outcomes_of([CONVERSION, HANDOFF, autoresponder])
    assert kinds(found)[:5] == ALL_SPEED
    assert "met" not in kinds(found)


AUTOMATION_POLICY = """\
version: 1
default_calendar: office
calendars:
  office:
    timezone: America/New_York
    hours: {mon: ["09:00-17:00"], tue: ["09:00-17:00"], wed: ["09:00-17:00"],
            thu: ["09:00-17:00"], fri: ["09:00-17:00"]}
segments:
  - name: nurtured
    match: {segment: smb}
    speed_to_lead: {target: 15m}
    automated_touches_count: true
  - name: hand-worked
    match: {}
    speed_to_lead: {target: 15m}
"""


def test_automated_touch_qualifies_when_the_segment_says_so():
    policy = parse_policy(AUTOMATION_POLICY, "automation.yaml")
    sequence_email = attempt(et(1, 10, 1), channel="email", outcome="no_answer", automated=True)
    counted = outcomes_of([converted(et(1, 9, 50), segment="smb"), HANDOFF, sequence_email], policy)
    ignored = outcomes_of([converted(et(1, 9, 50), segment="mid-market"), HANDOFF, sequence_email], policy)
    assert [(o.kind, o.segment, o.at) for o in counted] == [
        ("opened", "nurtured", et(1, 10)),
        ("met", "nurtured", et(1, 10, 1)),
    ]
    assert [(o.kind, o.segment, o.at) for o in ignored] == [
        ("opened", "hand-worked", et(1, 10)),
        ("breached", "hand-worked", et(1, 10, 15)),
    ]


# --- reassignment -------------------------------------------------------------------------------


def test_keep_clock_breach_names_the_owner_at_the_deadline():
    found = outcomes_of([CONVERSION, HANDOFF, reassign(et(1, 10, 12), "rep-b")])
    assert [(o.kind, o.at, o.owner_rep) for o in found if o.kind != "depth_breached"] == [
        ("opened", et(1, 10), "rep-a"),
        ("warning", et(1, 10, 10), "rep-a"),
        ("reassigned", et(1, 10, 12), "rep-b"),
        ("breached", et(1, 10, 15), "rep-b"),
        ("escalated", et(1, 10, 30), "rep-b"),
        ("escalated", et(1, 11, 15), "rep-b"),
    ]
    assert {o.deadline_at for o in found} == {et(1, 10, 15)}


def test_reassignment_after_the_deadline_leaves_the_breach_with_the_first_owner():
    found = by_id(outcomes_of([CONVERSION, HANDOFF, reassign(et(1, 10, 20), "rep-b")]))
    assert found["lead-1/1/breached"].owner_rep == "rep-a"
    assert found["lead-1/1/escalated/1"].owner_rep == "rep-b"


def test_restart_clock_gives_the_new_owner_a_fresh_deadline():
    policy = example_with("reassignment: keep_clock", "reassignment: restart_clock")
    found = by_id(outcomes_of([CONVERSION, HANDOFF, reassign(et(1, 10, 5), "rep-b")], policy))
    breached = found["lead-1/1/breached"]
    assert (breached.at, breached.deadline_at, breached.handoff_at, breached.owner_rep) == (
        et(1, 10, 20), et(1, 10, 20), et(1, 10, 5), "rep-b",
    )
    assert breached.business_seconds == 900.0
    assert found["lead-1/1/warning"].at == et(1, 10, 15)
    assert found["lead-1/1/escalated/1"].at == et(1, 10, 35)
    assert found["lead-1/1/reassigned/1"].at == et(1, 10, 5)


def test_restart_clock_does_not_restart_after_first_contact():
    policy = example_with("reassignment: keep_clock", "reassignment: restart_clock")
    events = [CONVERSION, HANDOFF, attempt(et(1, 10, 3)), reassign(et(1, 10, 5), "rep-b")]
    found = outcomes_of(events, policy)
    assert [(o.kind, o.at, o.deadline_at) for o in found if o.kind != "depth_breached"] == [
        ("opened", et(1, 10), et(1, 10, 15)),
        ("met", et(1, 10, 3), et(1, 10, 15)),
    ]


# --- follow-up depth ----------------------------------------------------------------------------


def calls(count: int, *, start_day: int = 2, outcome: str = "no_answer", automated: bool = False):
    """`count` calls at 11:00 on consecutive hours of business days from `start_day` on."""
    return [
        attempt(et(start_day + n // 6, 11 + n % 6), outcome=outcome, automated=automated, rep="rep-a")
        for n in range(count)
    ]


def depth(found: list[Outcome]) -> list[tuple]:
    return [(o.at, o.attempts, o.owner_rep) for o in found if o.kind == "depth_breached"]


def test_depth_breach_when_too_few_attempts_and_no_connect():
    found = outcomes_of([CONVERSION, HANDOFF, *calls(7)])
    assert depth(found) == [(DEPTH_END_JUNE_1, 7, "rep-a")]
    assert by_id(found)["lead-1/1/depth_breached"].business_seconds == 79 * 3600.0


def test_no_depth_breach_with_enough_attempts():
    assert depth(outcomes_of([CONVERSION, HANDOFF, *calls(8)])) == []


def test_no_depth_breach_once_connected():
    found = outcomes_of([CONVERSION, HANDOFF, *calls(2), attempt(et(3, 9, 30), outcome="connected")])
    assert depth(found) == []


def test_attempts_after_the_period_and_automated_touches_do_not_count_for_depth():
    late_calls = [attempt(et(15, 10 + n)) for n in range(5)]  # Monday after the period
    sequence = calls(6, start_day=3, automated=True)
    found = outcomes_of([CONVERSION, HANDOFF, *calls(3), *sequence, *late_calls])
    assert depth(found) == [(DEPTH_END_JUNE_1, 3, "rep-a")]


# --- arrival order, duplicates, late data --------------------------------------------------------


def test_conversion_arriving_after_the_handoff_still_gives_the_right_segment():
    state, emitted = feed([HANDOFF, CONVERSION], watermark=et(1, 9, 59, 30))
    assert emitted == []
    state, emitted = advance_to(state, et(1, 10, 10))
    assert [(o.kind, o.segment, o.at) for o in emitted] == [
        ("opened", "enterprise-demo", et(1, 10)),
        ("warning", "enterprise-demo", et(1, 10, 10)),
    ]


def test_duplicate_event_changes_nothing():
    state, emitted = feed([CONVERSION, HANDOFF], watermark=et(1, 10, 12))
    assert kinds(emitted) == ["opened", "warning"]
    policy = example_policy()
    same, out = apply_event(state, handoff(et(1, 10)), policy, et(1, 10, 12))
    assert out == []
    assert same is state
    # Even a resent record with a later watermark is ignored: the id is what counts.
    same, out = apply_event(state, CONVERSION, policy, et(1, 12))
    assert (out, same) == ([], state)


def test_duplicate_through_the_tracker_is_flagged_and_emits_nothing():
    tracker = Tracker(example_policy(), {}, {})
    tracker.on_entry(0, CONVERSION)
    first = tracker.on_entry(0, HANDOFF)
    stored = tracker.leads[LEAD]
    again = tracker.on_entry(0, handoff(et(1, 10)))
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.outcomes == []
    assert tracker.leads[LEAD] is stored
    assert len(stored.spine) == 2  # the conversion and the handoff, once each


# Conversion, handoff, an autoresponder, a reassignment and the new owner's call,
# within four seconds of each other (the example policy allows 5s of lateness).
LEAD_EVENTS_WITHIN_LATENESS = [
    converted(et(1, 9, 59, 59)),
    handoff(et(1, 10)),
    attempt(et(1, 10, 0, 1), channel="email", automated=True),
    reassign(et(1, 10, 0, 2), "rep-b"),
    attempt(et(1, 10, 0, 3), rep="rep-b"),
]


def run_tracker(events, policy=None) -> list[Outcome]:
    """Events in the given arrival order, then the clock runs on to the end of the month."""
    tracker = Tracker(policy or example_policy(), {}, {})
    emitted: list[Outcome] = []
    for event in events:
        emitted += tracker.on_entry(0, event).outcomes
    for moment in (et(1, 10, 20), et(1, 12), et(15, 9)):
        emitted += tracker.on_entry(0, clock_at(moment)).outcomes
    return emitted


@pytest.mark.parametrize("with_call", [True, False], ids=["contacted", "never-contacted"])
def test_any_arrival_order_within_the_lateness_gives_the_same_outcomes(with_call):
    span = LEAD_EVENTS_WITHIN_LATENESS[-1].occurred_at - LEAD_EVENTS_WITHIN_LATENESS[0].occurred_at
    assert span < example_policy().allowed_lateness, "test setup: events must lie within the lateness"
    events = LEAD_EVENTS_WITHIN_LATENESS if with_call else LEAD_EVENTS_WITHIN_LATENESS[:-1]
    in_order = run_tracker(events)
    expected = ["opened", "reassigned", "met", "depth_breached"] if with_call else [*ALL_SPEED[:1], "reassigned", *ALL_SPEED[1:], "depth_breached"]
    assert kinds(sorted(in_order, key=Outcome.sort_key)) == expected
    for order in itertools.permutations(events):
        emitted = run_tracker(order)
        assert "corrected" not in kinds(emitted), [e.event_id for e in order]
        assert sorted(emitted, key=Outcome.sort_key) == sorted(in_order, key=Outcome.sort_key)


def test_late_contact_before_the_deadline_corrects_the_announced_breach():
    tracker = Tracker(example_policy(), {}, {})
    tracker.on_entry(0, CONVERSION)
    tracker.on_entry(0, HANDOFF)
    announced = tracker.on_entry(0, clock_at(et(1, 10, 30))).outcomes
    assert ids(announced) == [
        "lead-1/1/opened",
        "lead-1/1/warning",
        "lead-1/1/breached",
        "lead-1/1/escalated/1",
    ]
    # The rep called at 10:05; the CRM delivered the record half an hour late.
    result = tracker.on_entry(0, attempt(et(1, 10, 5), outcome="connected"))
    assert [(o.kind, o.outcome_id, o.corrects, o.at) for o in result.outcomes] == [
        ("corrected", "lead-1/1/warning/corrected/1", "lead-1/1/warning", et(1, 10, 10)),
        ("corrected", "lead-1/1/breached/corrected/2", "lead-1/1/breached", et(1, 10, 15)),
        ("corrected", "lead-1/1/escalated/1/corrected/3", "lead-1/1/escalated/1", et(1, 10, 30)),
        ("met", "lead-1/1/met", None, et(1, 10, 5)),
    ]
    met = result.outcomes[-1]
    assert (met.contact_at, met.business_seconds, met.deadline_at) == (et(1, 10, 5), 300.0, et(1, 10, 15))
    state = tracker.leads[LEAD]
    assert sorted(state.announced) == ["1/met", "1/opened"]  # ids, kept without the lead id
    assert state.corrections == 3
    # The withdrawn escalation never comes back, nor does the second level.
    assert tracker.on_entry(0, clock_at(et(15, 9))).outcomes == []


def test_a_changed_content_comes_under_a_new_id_never_the_old_one():
    """A consumer that keeps one record per id must never hold a stale one: the opening
    announced under the default segment is withdrawn when the conversion (stamped before
    the handoff, delivered late) makes it an SMB lead, and the new opening is ``…/v2``."""
    tracker = Tracker(example_policy(), {}, {})
    tracker.on_entry(0, HANDOFF)
    (first,) = tracker.on_entry(0, clock_at(et(1, 10, 2))).outcomes
    late = tracker.on_entry(0, converted(et(1, 9, 50), segment="smb", offer=None)).outcomes
    assert [(o.kind, o.outcome_id, o.corrects, o.segment) for o in late] == [
        ("corrected", "lead-1/1/opened/corrected/1", "lead-1/1/opened", "default"),
        ("opened", "lead-1/1/opened/v2", None, "smb"),
    ]
    assert (first.outcome_id, first.segment) == ("lead-1/1/opened", "default")
    assert late[1].deadline_at < first.deadline_at
    state = tracker.leads[LEAD]
    assert (state.announced, state.versions) == (("1/opened/v2",), (("1/opened", 2),))
    assert state_from_value(json.loads(json.dumps(state_to_value(state)))) == state  # survives the changelog


def test_a_clock_that_steps_back_neither_withdraws_nor_repeats_what_was_announced():
    """A worker killed between writing its lead states and its clock recovers states newer
    than the clock: the watermark stands before outcomes already announced. They still hold,
    so nothing is withdrawn, and nothing is announced a second time when time catches up."""
    policy = example_policy()
    state, announced = feed([CONVERSION, HANDOFF], watermark=et(1, 10, 12))
    assert kinds(announced) == ["opened", "warning"]
    # Recovered behind the warning; a late call arrives meanwhile and changes the cycle's facts.
    state, out = apply_event(state, attempt(et(1, 10, 20)), policy, et(1, 10, 1))
    assert out == []
    assert sorted(state.announced) == ["1/opened", "1/warning"]
    state, later = advance_to(state, et(1, 10, 30))
    assert kinds(later) == ["breached", "contacted_late"]
    # The same as a worker whose clock never stepped back.
    steady, _ = feed([CONVERSION, HANDOFF, attempt(et(1, 10, 20))], watermark=et(1, 10, 12))
    assert advance_to(steady, et(1, 10, 30))[1] == later


def test_late_contact_after_the_warning_keeps_the_warning():
    state, emitted = feed([CONVERSION, HANDOFF], watermark=et(1, 10, 20))
    assert kinds(emitted) == ["opened", "warning", "breached"]
    policy = example_policy()
    state, out = apply_event(state, attempt(et(1, 10, 12), outcome="connected"), policy, et(1, 10, 20))
    assert [(o.kind, o.corrects) for o in out] == [("corrected", "lead-1/1/breached"), ("met", None)]


def test_outcomes_are_only_announced_once_the_watermark_reaches_them():
    state, emitted = feed([CONVERSION, HANDOFF], watermark=et(1, 10, 14, 59))
    assert kinds(emitted) == ["opened", "warning"]
    assert state.next_due == et(1, 10, 15)
    state, emitted = advance_to(state, et(1, 10, 15))
    assert ids(emitted) == ["lead-1/1/breached"]
    state, emitted = advance_to(state, et(1, 10, 15) + timedelta(minutes=5))
    assert emitted == []
    assert state.next_due == et(1, 10, 30)


def test_restart_clock_reassignment_after_the_breach_keeps_the_breach():
    from models.policy_file import parse_policy
    from tests.scenarios import at, converted, handoff

    from pathlib import Path
    text = (Path(__file__).resolve().parents[2] / "models/example_policy.yaml").read_text().replace("reassignment: keep_clock", "reassignment: restart_clock")
    policy = parse_policy(text)
    events = (converted("L", "enterprise", "demo-request"), handoff("L", "rep-ent-1", "enterprise"),
              handoff("L", "rep-ent-2", "enterprise", minutes=20, action="reassign", n=2))
    found = {o.outcome_id: o for o in outcomes_of(events, policy, lead="L")}
    assert found["L/1/breached"].at == at(15)  # the 10:15 breach stands
    assert found["L/1/breached"].owner_rep == "rep-ent-1"
    assert found["L/1/opened"].handoff_at == at(0)
