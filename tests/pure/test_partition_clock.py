"""A timeline partition's clock with several workers: each claims only its own inputs,
and time moves at the pace of the slowest."""

from __future__ import annotations

from datetime import timedelta

from models.events import Tick
from models.partition_clock import EPOCH
from models.tracker import Tracker
from tests.pure.events import attempt, converted, et, example_policy, handoff

POLICY = example_policy()
LATENESS = POLICY.allowed_lateness
SOURCES = ["conversions:0", "conversions:1", "handoffs:0", "handoffs:1", "attempts:0", "attempts:1"]


def claims(at, *sources) -> Tick:
    return Tick(schema_version=1, at=at, partition=0, claims={source: at for source in sources})


def worker_a(at) -> Tick:  # owns partition 0 of every input topic
    return claims(at, "conversions:0", "handoffs:0", "attempts:0")


def worker_b(at) -> Tick:
    return claims(at, "conversions:1", "handoffs:1", "attempts:1")


def test_time_stands_still_until_every_input_partition_is_claimed():
    tracker = Tracker(POLICY, {}, {}, SOURCES)
    tracker.on_entry(0, worker_a(et(1, 10)))
    assert tracker.watermark(0) == EPOCH  # nobody vouches for partition 1 yet
    tracker.on_entry(0, worker_b(et(1, 9)))
    assert tracker.watermark(0) == et(1, 9) - LATENESS


def test_a_caught_up_worker_does_not_move_time_past_one_still_reading_a_backlog():
    tracker = Tracker(POLICY, {}, {}, SOURCES)
    for event in (converted(et(1, 9, 50)), handoff(et(1, 10))):
        tracker.on_entry(0, event)
    tracker.on_entry(0, worker_b(et(1, 10, 5)))  # B is still reading 10:05 of its backlog
    fired = tracker.on_entry(0, worker_a(et(1, 12))).outcomes  # A is caught up: it is noon
    assert [o.kind for o in fired] == ["opened"]  # no warning or breach: B may hold the call
    fired = tracker.on_entry(0, attempt(et(1, 10, 8), outcome="connected")).outcomes
    fired += tracker.on_entry(0, worker_b(et(1, 12))).outcomes
    assert [o.kind for o in fired] == ["met"]


def test_claims_never_move_back_when_a_partition_changes_owner():
    tracker = Tracker(POLICY, {}, {}, SOURCES)
    tracker.on_entry(0, worker_a(et(1, 10)))
    tracker.on_entry(0, worker_b(et(1, 10)))
    tracker.on_entry(0, worker_b(et(1, 9)))  # a new owner resuming from an older position
    assert tracker.watermark(0) == et(1, 10) - LATENESS


def test_claims_survive_a_restart_through_the_clock_table():
    table: dict = {}
    Tracker(POLICY, {}, table, SOURCES).on_entry(0, worker_a(et(1, 10)))
    Tracker(POLICY, {}, table, SOURCES).on_entry(0, worker_b(et(1, 11)))
    assert Tracker(POLICY, {}, table, SOURCES).watermark(0) == et(1, 10) - LATENESS


def test_partitions_keep_separate_clocks():
    tracker = Tracker(POLICY, {}, {}, SOURCES)
    tick = worker_a(et(1, 10)).model_copy(update={"partition": 1})
    tracker.on_entry(1, tick)
    tracker.on_entry(1, worker_b(et(1, 10)))
    assert tracker.watermark(1) == et(1, 10) - LATENESS and tracker.watermark(0) == EPOCH
    assert tracker.watermark(1) - tracker.watermark(0) > timedelta(days=1)
