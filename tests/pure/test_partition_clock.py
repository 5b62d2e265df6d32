"""A partition's clock: moved by its ticks only, never back, kept across restarts and
owner changes through the clock table, and separate per partition."""

from __future__ import annotations

from datetime import timedelta

from models.events import Tick
from models.partition_clock import EPOCH
from models.tracker import Tracker
from tests.pure.events import converted, et, example_policy, handoff

POLICY = example_policy()
LATENESS = POLICY.allowed_lateness


def tick(at, partition: int = 0) -> Tick:
    return Tick(schema_version=1, at=at, partition=partition)


def test_time_stands_still_until_the_first_tick():
    tracker = Tracker(POLICY, {}, {})
    for event in (converted(et(1, 9, 50)), handoff(et(1, 10))):
        assert not [o for o in tracker.on_entry(0, event).outcomes if o.kind != "opened"]
    assert tracker.watermark(0) == EPOCH
    tracker.on_entry(0, tick(et(1, 12)))
    assert tracker.watermark(0) == et(1, 12) - LATENESS


def test_ticks_never_move_time_back_when_a_partition_changes_owner():
    tracker = Tracker(POLICY, {}, {})
    tracker.on_entry(0, tick(et(1, 10)))
    tracker.on_entry(0, tick(et(1, 9)))  # a new owner resuming from an older position
    assert tracker.watermark(0) == et(1, 10) - LATENESS


def test_the_clock_survives_a_restart_through_the_clock_table():
    table: dict = {}
    Tracker(POLICY, {}, table).on_entry(0, tick(et(1, 10)))
    assert Tracker(POLICY, {}, table).watermark(0) == et(1, 10) - LATENESS


def test_partitions_keep_separate_clocks():
    tracker = Tracker(POLICY, {}, {})
    tracker.on_entry(1, tick(et(1, 10), partition=1))
    assert tracker.watermark(1) == et(1, 10) - LATENESS and tracker.watermark(0) == EPOCH
    assert tracker.watermark(1) - tracker.watermark(0) > timedelta(days=1)
