"""The incremental lead state decides exactly as the first version's full-history fold,
holds the same few facts however long a lead's history, and survives its changelog.

The oracle (tests.pure.reference_fold) re-derives every verdict from all of a lead's
events; the core under test keeps only conversions, handoffs, attempts not yet behind
the watermark and per-cycle attempt summaries.
"""

from __future__ import annotations

import json
import random
import re
from datetime import datetime, timedelta

import pytest

from models.lead_state import LeadState
from models.outcomes import Outcome
from models.state_codec import state_from_value, state_to_value
from models.tracker import Tracker
from tests.pure.events import attempt, clock_at, converted, et, example_policy, example_with, handoff
from tests.pure.reference_fold import reference_outcomes

POLICY = example_policy()
RESTART = example_with("reassignment: keep_clock", "reassignment: restart_clock")
SEGMENTS = ["enterprise", "mid-market", "smb", "partner"]
# Gaps between a lead's events: some within the lateness, so arrivals swap places.
GAPS = [timedelta(seconds=s) for s in (0, 1, 2, 3)] + [timedelta(minutes=m) for m in (1, 3, 7, 20, 90, 600)]


def random_lead(rng: random.Random, lead: str, start: datetime, attempts: int) -> list:
    """A lead's life: conversion, handoff, attempts (some automated, some connecting),
    perhaps reassignments, a return and a second cycle, stamped over a few days."""
    events, t = [], start
    source = rng.choice(["marketing", "marketing", "sales"])
    if rng.random() < 0.9:
        events.append(converted(t, lead, source=source, segment=rng.choice(SEGMENTS)))
    t += timedelta(minutes=rng.randint(0, 30))
    events.append(handoff(t, lead, rep=f"rep-{rng.randint(1, 3)}", team=rng.choice(["enterprise", "inbound-east"])))
    for n in range(attempts):
        t += rng.choice(GAPS)
        roll = rng.random()
        unique = f"{lead}:{n}"  # two touches in one second are two events
        if roll < 0.04:
            events.append(handoff(t, lead, action="reassign", rep=f"rep-{rng.randint(4, 6)}", event_id=unique))
        elif roll < 0.07:
            events.append(handoff(t, lead, action="return", event_id=unique))
        elif roll < 0.10:  # recycled: cycle 2, 3...
            events.append(handoff(t, lead, rep=f"rep-{rng.randint(1, 3)}", event_id=unique))
        else:
            events.append(attempt(t, lead, rep=f"rep-{n % 3}", automated=rng.random() < 0.3, event_id=unique,
                                  outcome="connected" if rng.random() < 0.08 else "no_answer"))
    return events


def arrival_order(rng: random.Random, events: list, jitter_s: int) -> list:
    """Events as a live worker might read them: by event time, each delayed by up to
    ``jitter_s`` (within the allowed lateness), so neighbours swap places."""
    return sorted(events, key=lambda e: e.occurred_at + timedelta(seconds=rng.uniform(0, jitter_s)))


def run_live(events: list, policy) -> tuple[list[Outcome], Tracker]:
    """Through the tracker with a tick after every event: the watermark trails the
    latest arrival by the allowed lateness, as on a worker; then time passes them all."""
    tracker, out = Tracker(policy, {}, {}), []
    latest = events[0].occurred_at
    for event in events:
        out += tracker.on_entry(0, event).outcomes
        latest = max(latest, event.occurred_at)
        out += tracker.on_entry(0, clock_at(latest - timedelta(seconds=4), policy=policy)).outcomes
    final = max(e.occurred_at for e in events) + timedelta(days=30)
    out += tracker.on_entry(0, clock_at(final, policy=policy)).outcomes
    return out, tracker


def standing(outcomes: list[Outcome]) -> dict[str, Outcome]:
    """What a consumer that keeps the last record per id, and drops withdrawn ids, holds,
    under each outcome's first id (a changed content comes as ``…/v2``: the oracle, which
    sees all events at once, never has a first content to withdraw)."""
    held: dict[str, Outcome] = {}
    for outcome in outcomes:
        if outcome.kind == "corrected":
            held.pop(outcome.corrects, None)
        else:
            held[outcome.outcome_id] = outcome
    return {first_id(key): outcome.model_copy(update={"outcome_id": first_id(key)}) for key, outcome in held.items()}


def first_id(outcome_id: str) -> str:
    return re.sub(r"/v\d+$", "", outcome_id)


@pytest.mark.parametrize("policy", [POLICY, RESTART], ids=["keep_clock", "restart_clock"])
@pytest.mark.parametrize("seed", range(6))
def test_random_leads_decide_exactly_as_the_full_history_fold(seed, policy):
    rng = random.Random(seed)
    leads = {f"lead-{n}": random_lead(rng, f"lead-{n}", et(1, 8) + timedelta(minutes=37 * n), rng.randint(0, 40))
             for n in range(40)}
    everything = arrival_order(rng, [e for events in leads.values() for e in events], jitter_s=4)
    live, _ = run_live(everything, policy)
    expected = {o.outcome_id: o for lead, events in leads.items() for o in reference_outcomes(lead, events, policy)}
    assert standing(live) == expected
    assert_reannounced_only_after_a_correction(live)


def assert_reannounced_only_after_a_correction(outcomes: list[Outcome]) -> None:
    """An id is announced once, ever: a changed content (restart_clock moves the opening
    when a reassignment arrives after it was announced) comes under a new version of the
    id, after a ``corrected`` withdrew the old one."""
    announced: set[str] = set()
    withdrawn: set[str] = set()
    for outcome in outcomes:
        if outcome.kind == "corrected":
            withdrawn.add(outcome.corrects)
            continue
        assert outcome.outcome_id not in announced, f"{outcome.outcome_id} announced twice"
        announced.add(outcome.outcome_id)
        if outcome.outcome_id != first_id(outcome.outcome_id):
            earlier = outcome.outcome_id.rsplit("/v", 1)[0]
            version = int(outcome.outcome_id.rsplit("/v", 1)[1])
            assert (earlier if version == 2 else f"{earlier}/v{version - 1}") in withdrawn


def test_a_lead_with_1500_events_decides_exactly_as_the_full_history_fold():
    rng = random.Random(1500)
    events = random_lead(rng, "long", et(1, 8), 1500)
    live, tracker = run_live(arrival_order(rng, events, jitter_s=4), POLICY)
    assert len(events) > 1500
    assert standing(live) == {o.outcome_id: o for o in reference_outcomes("long", events, POLICY)}


def never_connected_lead(attempts: int) -> list:
    events = [converted(et(1, 9, 50)), handoff(et(1, 10))]
    return events + [attempt(et(1, 10) + timedelta(minutes=n + 1), automated=n % 4 == 0) for n in range(attempts)]


def state_after(events: list) -> LeadState:
    _, tracker = run_live(events[:-1], POLICY)  # the last event is left for the caller's clock
    return tracker.leads["lead-1"]


def test_state_stops_growing_with_the_number_of_attempts():
    def size(attempts: int) -> int:
        tracker = Tracker(POLICY, {}, {})
        for event in never_connected_lead(attempts):
            tracker.on_entry(0, event)
            tracker.on_entry(0, clock_at(event.occurred_at - timedelta(seconds=1)))
        return len(json.dumps(state_to_value(tracker.leads["lead-1"])))

    at_100, at_1000 = size(100), size(1000)
    assert at_1000 <= at_100 + 16  # a few more digits in the counts, nothing per attempt
    assert at_1000 < 10_000


def test_a_lead_with_1000_attempts_keeps_a_summary_not_the_attempts():
    tracker = Tracker(POLICY, {}, {})
    for event in never_connected_lead(1000):
        tracker.on_entry(0, event)
        tracker.on_entry(0, clock_at(event.occurred_at))
    state = tracker.leads["lead-1"]
    # Only the attempts at the watermark itself are still held (a handoff stamped in
    # the same instant could still arrive); the other 998 are two numbers.
    assert len(state.spine) == 2 and len(state.pending) == 2
    ((cycle, summary),) = state.summaries
    counted = {e.segment: (e.attempts, e.human) for e in summary.in_period}
    assert cycle == 1 and counted["enterprise-demo"][0] == 998  # all within 10 business days
    assert counted["enterprise-demo"][1] == 748  # every 4th was automated


def test_state_survives_its_changelog_exactly():
    rng = random.Random(7)
    events = random_lead(rng, "lead-1", et(1, 8), 60)
    tracker = Tracker(POLICY, {}, {})
    restored = Tracker(POLICY, {}, {})
    for n, event in enumerate(events):
        for t in (tracker, restored):
            t.on_entry(0, event)
            if n % 5 == 0:
                t.on_entry(0, clock_at(event.occurred_at))
        value = json.loads(json.dumps(state_to_value(restored.leads["lead-1"])))
        restored.leads["lead-1"] = state_from_value(value)  # as a worker recovering from the changelog
        assert restored.leads["lead-1"] == tracker.leads["lead-1"]
    final = clock_at(et(30, 9))
    assert restored.on_entry(0, final).outcomes == tracker.on_entry(0, final).outcomes


def test_duplicate_attempt_behind_the_watermark_is_not_counted_twice():
    tracker = Tracker(POLICY, {}, {})
    call = attempt(et(1, 10, 20))
    for event in (converted(et(1, 9, 50)), handoff(et(1, 10)), call):
        tracker.on_entry(0, event)
    tracker.on_entry(0, clock_at(et(1, 11)))
    again = tracker.on_entry(0, call)  # re-delivered after the watermark passed it
    assert again.duplicate and again.outcomes == []
    (_, summary), = tracker.leads["lead-1"].summaries
    assert summary.counted(POLICY.segments[0]) == 1


def test_an_attempt_ahead_of_the_watermark_waits_for_handoffs_stamped_before_it():
    """The lead is returned (10:10:01) and handed to rep-b (10:10:01.5), both in time (the
    watermark is at 10:10) but read after rep-b's call (10:10:02): the call belongs to
    cycle 2 and meets its target; cycle 1 ends returned, uncontacted."""
    tracker = Tracker(POLICY, {}, {})
    for event in (converted(et(1, 9, 50)), handoff(et(1, 10))):
        tracker.on_entry(0, event)
    tracker.on_entry(0, clock_at(et(1, 10, 10)))
    out = tracker.on_entry(0, attempt(et(1, 10, 10, 2), rep="rep-b", outcome="connected")).outcomes
    out += tracker.on_entry(0, handoff(et(1, 10, 10, 1), action="return")).outcomes
    out += tracker.on_entry(0, handoff(et(1, 10, 10, 1) + timedelta(milliseconds=500), rep="rep-b")).outcomes
    out += tracker.on_entry(0, clock_at(et(1, 11))).outcomes
    decided = [o.outcome_id for o in out if o.kind in ("met", "contacted_late", "returned", "breached")]
    assert decided == ["lead-1/1/returned", "lead-1/2/met"]
