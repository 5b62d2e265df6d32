"""A tick takes effect only once the receiver has read the input records it vouches for."""

from __future__ import annotations

from datetime import datetime, timezone

from models.events import Tick
from streams.runtime.input_progress import TopicPartition
from streams.runtime.tick_gate import TickGate, positions_header, vouched_positions

INPUTS = ("conversions", "handoffs", "attempts")


def tick(second: int, partition: int = 1) -> Tick:
    return Tick(schema_version=1, at=datetime(2026, 3, 2, 15, 0, second, tzinfo=timezone.utc), partition=partition)


def test_the_header_round_trips_the_senders_positions():
    sent = positions_header(INPUTS, 1, lambda tp: {"conversions": 3, "handoffs": 7, "attempts": 0}[tp.topic])
    assert vouched_positions([("leadsla-read", sent)], INPUTS) == {"conversions": 3, "handoffs": 7, "attempts": 0}
    assert vouched_positions(None, INPUTS) == {}  # a tick of an older sender vouches for nothing


def test_a_tick_ahead_of_what_was_read_waits_until_the_records_are_read():
    read = {TopicPartition("handoffs", 1): 5}
    gate = TickGate(INPUTS, lambda tp: read.get(tp, 0))
    assert gate.admit(tick(10), {"handoffs": 7}) is None
    assert gate.release(1) is None
    read[TopicPartition("handoffs", 1)] = 7
    assert gate.release(1) == tick(10)
    assert gate.release(1) is None  # once


def test_a_later_held_tick_replaces_an_earlier_one_and_a_revoked_partition_forgets_it():
    read: dict = {}
    gate = TickGate(INPUTS, lambda tp: read.get(tp, 0))
    gate.admit(tick(10), {"attempts": 2})
    gate.admit(tick(11), {"attempts": 3})
    read[TopicPartition("attempts", 1)] = 3
    assert gate.release(1) == tick(11)
    gate.admit(tick(12), {"attempts": 9})
    gate.forget([1])
    read[TopicPartition("attempts", 1)] = 9
    assert gate.release(1) is None


def test_ticks_held_too_long_are_reported_in_the_log(monkeypatch, caplog):
    import streams.runtime.tick_gate as tick_gate

    monkeypatch.setattr(tick_gate, "HELD_TOO_LONG_S", 0.0)
    gate = TickGate(INPUTS, lambda tp: 0)
    with caplog.at_level("WARNING", logger="leadsla.ticks"):
        gate.admit(tick(10), {"attempts": 4})
    assert "partition 1: ticks held" in caplog.text and "'attempts': 4" in caplog.text
