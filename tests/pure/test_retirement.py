"""Retired leads: a quiet lead with nothing left to announce becomes a tombstone; events
for it are refused with their reason, or start its next cycle."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.lead_state import LeadState
from models.policy_file import PolicyError, parse_policy
from models.retirement import Retired
from models.tracker import Tracker
from tests.pure.events import attempt, clock_at, converted, et, example_with, handoff, ids

POLICY = example_with("allowed_lateness: 5s", "allowed_lateness: 5s\nretire_after: 2d")
MET = [converted(et(1, 9, 50)), handoff(et(1, 10)), attempt(et(1, 10, 4), outcome="connected")]


def tracker_with(events, watermark) -> Tracker:
    tracker = Tracker(POLICY, {}, {})
    for event in events:
        tracker.on_entry(0, event)
    tracker.on_entry(0, clock_at(watermark, policy=POLICY))
    return tracker


def test_a_met_lead_retires_once_quiet_for_the_horizon_and_not_before():
    # The depth target (8 attempts in 10 business days) is moot once connected, so the
    # last thing the lead can announce is its 10:04 contact.
    almost = tracker_with(MET, et(1, 10, 4) + timedelta(days=2) - timedelta(seconds=1))
    assert isinstance(almost.leads["lead-1"], LeadState)
    retired = tracker_with(MET, et(1, 10, 4) + timedelta(days=2))
    assert retired.leads["lead-1"] == Retired("lead-1", 0, cycles=1, corrections=0, quiet_since=et(1, 10, 4))


def test_a_breached_lead_waits_for_its_last_escalation_before_the_horizon_counts():
    never_called = [converted(et(1, 9, 50)), handoff(et(1, 10))]
    # Escalations at +15m and +1h after the 10:15 deadline; depth breach at the end of
    # the 10th business day (12 June, 17:00) is the lead's last outcome.
    tracker = tracker_with(never_called, et(12, 17) + timedelta(days=2) - timedelta(seconds=1))
    assert isinstance(tracker.leads["lead-1"], LeadState)
    tracker.on_entry(0, clock_at(et(12, 17) + timedelta(days=2), policy=POLICY))
    assert tracker.leads["lead-1"].quiet_since == et(12, 17)


def test_an_event_stamped_before_the_lead_went_quiet_is_refused_as_too_late():
    tracker = tracker_with(MET, et(5, 9))
    result = tracker.on_entry(0, attempt(et(1, 10, 2), outcome="connected"))
    assert result.outcomes == [] and not result.duplicate
    assert "lead lead-1 was retired" in result.rejected and "too late" in result.rejected
    assert isinstance(tracker.leads["lead-1"], Retired)


def test_an_attempt_after_retirement_without_a_new_handoff_is_refused():
    tracker = tracker_with(MET, et(5, 9))
    result = tracker.on_entry(0, attempt(et(5, 10)))
    assert "needs a new conversion or assignment" in result.rejected


def test_a_retired_lead_handed_off_again_continues_its_cycle_count():
    tracker = tracker_with(MET, et(5, 9))
    tracker.on_entry(0, handoff(et(8, 10), rep="rep-b"))
    fired = tracker.on_entry(0, clock_at(et(8, 10, 1), policy=POLICY)).outcomes
    assert ids(fired) == ["lead-1/2/opened"]  # lead-1/1/... ids are never reused
    assert tracker.leads["lead-1"].first_cycle == 2


def test_retirement_shorter_than_an_hour_is_refused():
    from importlib.resources import files

    text = files("models").joinpath("example_policy.yaml").read_text()
    with pytest.raises(PolicyError, match="retire_after must be at least 1h"):
        parse_policy(text.replace("allowed_lateness: 5s", "allowed_lateness: 5s\nretire_after: 30m"), "p.yaml")


def test_a_table_of_many_leads_keeps_only_tombstones_of_the_quiet_ones():
    tracker = Tracker(POLICY, {}, {})
    for n in range(200):
        start = et(1, 10) + timedelta(hours=n)
        for event in (converted(start, f"L{n}"), handoff(start, f"L{n}"),
                      attempt(start + timedelta(minutes=3), f"L{n}", outcome="connected")):
            tracker.on_entry(0, event)
        tracker.on_entry(0, clock_at(start + timedelta(minutes=3), policy=POLICY))
    live = [s for s in tracker.leads.values() if isinstance(s, LeadState)]
    # 200 hours of leads, 2 days' horizon: only the last ~48 hours are still held in full.
    assert 45 <= len(live) <= 49
    assert sum(isinstance(s, Retired) for s in tracker.leads.values()) == 200 - len(live)
