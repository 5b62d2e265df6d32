"""The tracker: per-partition watermarks, ticks, the due-heap across restarts, the history cap.

The watermark of a partition is the latest tick time seen on it minus the policy's
allowed lateness (see models.tracker). ``clock_at(t)`` is the tick that puts the
watermark at exactly ``t``, so these tests do not depend on the lateness value.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.tracker import EPOCH, Tracker
from tests.pure.events import attempt, clock_at, converted, et, example_policy, handoff, ids, tick

LATENESS = example_policy().allowed_lateness


def lead_on(tracker: Tracker, lead: str, partition: int, at: datetime) -> None:
    tracker.on_entry(partition, converted(at - timedelta(minutes=10), lead))
    tracker.on_entry(partition, handoff(at, lead))


def test_fresh_tracker_watermark_is_the_epoch():
    assert Tracker(example_policy(), {}, {}).watermark(0) == EPOCH


def test_watermark_is_latest_tick_minus_allowed_lateness():
    tracker = Tracker(example_policy(), {}, {})
    result = tracker.on_entry(0, tick(et(1, 10)))
    assert result.watermark == et(1, 10) - LATENESS
    assert tracker.watermark(0) == et(1, 10) - LATENESS
    assert tracker.clock.latest_seen == {"0": et(1, 10).timestamp()}  # kept in the clock table


def test_events_alone_do_not_move_the_watermark():
    tracker = Tracker(example_policy(), {}, {})
    tracker.on_entry(0, clock_at(et(1, 9)))
    lead_on(tracker, "lead-1", 0, et(1, 10))
    result = tracker.on_entry(0, attempt(et(1, 12), lead="lead-1"))
    assert result.watermark == et(1, 9)
    assert tracker.watermark(0) == et(1, 9)
    assert result.outcomes == []


def test_watermarks_of_partitions_are_independent():
    tracker = Tracker(example_policy(), {}, {})
    lead_on(tracker, "lead-p0", 0, et(1, 10))
    lead_on(tracker, "lead-p1", 1, et(1, 10))
    tracker.on_entry(1, clock_at(et(1, 10, 5), partition=1))
    busy = tracker.on_entry(0, clock_at(et(1, 12)))
    assert tracker.watermark(0) == et(1, 12)
    assert tracker.watermark(1) == et(1, 10, 5)
    assert tracker.watermark(2) == EPOCH
    # Only partition 0's lead is judged by partition 0's clock.
    assert ids(busy.outcomes) == [
        "lead-p0/1/opened",
        "lead-p0/1/warning",
        "lead-p0/1/breached",
        "lead-p0/1/escalated/1",
        "lead-p0/1/escalated/2",
    ]
    assert sorted(tracker.leads["lead-p1"].announced) == ["1/opened"]
    quiet = tracker.on_entry(1, clock_at(et(1, 10, 12), partition=1))
    assert [(o.outcome_id, o.at) for o in quiet.outcomes] == [("lead-p1/1/warning", et(1, 10, 10))]


def test_ticks_fire_due_outcomes_in_a_quiet_period():
    tracker = Tracker(example_policy(), {}, {})
    lead_on(tracker, "lead-1", 0, et(1, 10))
    before = tracker.on_entry(0, clock_at(et(1, 10, 14, 59)))
    assert ids(before.outcomes) == ["lead-1/1/opened", "lead-1/1/warning"]
    at_deadline = tracker.on_entry(0, clock_at(et(1, 10, 15)))
    assert [(o.kind, o.at, o.deadline_at, o.owner_rep, o.team) for o in at_deadline.outcomes] == [
        ("breached", et(1, 10, 15), et(1, 10, 15), "rep-a", "enterprise")
    ]
    assert tracker.on_entry(0, clock_at(et(1, 10, 20))).outcomes == []
    later = tracker.on_entry(0, clock_at(et(1, 11, 30)))
    assert [(o.kind, o.level, o.notify, o.at) for o in later.outcomes] == [
        ("escalated", 1, "manager", et(1, 10, 30)),
        ("escalated", 2, "head_of_sales", et(1, 11, 15)),
    ]


def test_tick_earlier_than_the_latest_time_does_not_move_the_watermark_back():
    tracker = Tracker(example_policy(), {}, {})
    lead_on(tracker, "lead-1", 0, et(1, 10))
    tracker.on_entry(0, clock_at(et(1, 10, 20)))
    stale = tracker.on_entry(0, clock_at(et(1, 9)))
    assert stale.watermark == et(1, 10, 20)
    assert tracker.watermark(0) == et(1, 10, 20)
    assert stale.outcomes == []
    # An old event is judged against the watermark that stands, not its own time.
    old_call = tracker.on_entry(0, attempt(et(1, 10, 17), outcome="connected", lead="lead-1"))
    assert old_call.watermark == et(1, 10, 20)
    assert [(o.kind, o.at) for o in old_call.outcomes] == [("contacted_late", et(1, 10, 17))]


def test_tick_in_another_zone_is_the_same_instant():
    tracker = Tracker(example_policy(), {}, {})
    lead_on(tracker, "lead-1", 0, et(1, 10))
    in_utc = datetime(2026, 6, 1, 14, 15, tzinfo=UTC) + LATENESS  # 10:15 EDT
    assert ids(tracker.on_entry(0, tick(in_utc)).outcomes)[-1] == "lead-1/1/breached"


def test_fresh_tracker_over_the_same_store_fires_pending_deadlines_exactly_once():
    leads: dict[str, LeadState] = {}
    latest_seen: dict[int, float] = {}
    before = Tracker(example_policy(), leads, latest_seen)
    lead_on(before, "lead-a", 0, et(1, 10))
    lead_on(before, "lead-b", 0, et(1, 10, 5))
    lead_on(before, "lead-c", 1, et(1, 10))
    assert ids(before.on_entry(0, clock_at(et(1, 10, 10))).outcomes) == [
        "lead-a/1/opened", "lead-a/1/warning", "lead-b/1/opened",
    ]
    # Rebalance / restart: the in-memory heaps are gone, the store (the changelog) remains.
    after = Tracker(example_policy(), leads, latest_seen)
    assert after.watermark(0) == et(1, 10, 10)
    fired = after.on_entry(0, clock_at(et(1, 10, 20))).outcomes
    assert [(o.outcome_id, o.at) for o in fired] == [
        ("lead-a/1/breached", et(1, 10, 15)),
        ("lead-b/1/warning", et(1, 10, 15)),
        ("lead-b/1/breached", et(1, 10, 20)),
    ]
    assert after.on_entry(0, clock_at(et(1, 10, 20))).outcomes == []
    assert after.on_entry(0, clock_at(et(1, 10, 25))).outcomes == []
    escalations = after.on_entry(0, clock_at(et(1, 10, 40))).outcomes
    assert ids(escalations) == ["lead-a/1/escalated/1", "lead-b/1/escalated/1"]
    # Partition 1's heap is rebuilt on its own first entry, with its own lead only.
    other = after.on_entry(1, clock_at(et(1, 10, 15), partition=1))
    assert ids(other.outcomes) == ["lead-c/1/opened", "lead-c/1/warning", "lead-c/1/breached"]


def test_forgotten_partition_is_rebuilt_from_the_store():
    tracker = Tracker(example_policy(), {}, {})
    lead_on(tracker, "lead-1", 0, et(1, 10))
    tracker.forget_partitions({0})
    fired = tracker.on_entry(0, clock_at(et(1, 10, 15)))
    assert ids(fired.outcomes) == ["lead-1/1/opened", "lead-1/1/warning", "lead-1/1/breached"]
    assert tracker.on_entry(0, clock_at(et(1, 10, 15))).outcomes == []


def test_rescheduled_lead_fires_at_its_new_time_only():
    tracker = Tracker(example_policy(), {}, {})
    lead_on(tracker, "lead-1", 0, et(1, 10))
    assert tracker.leads["lead-1"].next_due == et(1, 10)
    tracker.on_entry(0, attempt(et(1, 10, 3), outcome="connected", lead="lead-1"))
    assert tracker.leads["lead-1"].next_due == et(1, 10)
    fired = tracker.on_entry(0, clock_at(et(15, 9))).outcomes
    assert [(o.kind, o.at) for o in fired] == [("opened", et(1, 10)), ("met", et(1, 10, 3))]
    # Nothing left to announce: the next time the lead is due is its retirement.
    assert tracker.leads["lead-1"].next_due == et(1, 10, 3) + example_policy().retire_after
    assert tracker.on_entry(0, clock_at(et(30, 9))).outcomes == []


def test_due_heap_drops_stale_entries_and_every_lead_still_fires_once():
    # Each lead is due at its handoff (opened), then at its warning; a first call before the
    # warning reschedules it to the call's time, leaving the warning's entry stale. Past 1,024
    # stale entries the heap is compacted, which must keep every live one.
    tracker, leads = Tracker(example_policy(), {}, {}), [f"lead-{n}" for n in range(3000)]
    for lead in leads:
        lead_on(tracker, lead, 0, et(1, 10))
    opened = tracker.on_entry(0, clock_at(et(1, 10)))
    for lead in leads:
        tracker.on_entry(0, attempt(et(1, 10, 1), lead=lead))
    assert len(tracker._due[0]) < 2 * len(leads)  # not every stale entry is still held
    decided = tracker.on_entry(0, clock_at(et(15, 9))).outcomes
    assert len(opened.outcomes) == len(leads)
    assert sorted(o.outcome_id for o in decided) == sorted(f"{lead}/1/{kind}" for lead in leads
                                                           for kind in ("met", "depth_breached"))
    assert tracker.on_entry(0, clock_at(et(15, 9))).outcomes == []
