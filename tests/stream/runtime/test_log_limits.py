"""Broker errors are rate-limited in the log: the first of a kind shows, repeats are
held back and counted on the next line that shows."""

from __future__ import annotations

import logging

from streams.runtime.log_limits import RepeatLimit


def record(msg: str, level: int = logging.ERROR, name: str = "aiokafka.conn", args=()) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_repeats_of_an_error_are_held_back_and_counted_on_the_next_that_shows():
    now = [0.0]
    limit = RepeatLimit(every_s=10, clock=lambda: now[0])
    shown = [limit.filter(record("Unable connect to node %s", args=(n,))) for n in range(500)]
    assert shown.count(True) == 1
    now[0] = 11
    later = record("Unable connect to node %s", args=(1,))
    assert limit.filter(later) and "499 like it" in later.getMessage()


def test_other_messages_and_lower_levels_pass():
    limit = RepeatLimit(every_s=10, clock=lambda: 0.0)
    assert limit.filter(record("Unable connect to node"))
    assert limit.filter(record("Failed fetch messages"))
    assert all(limit.filter(record("Unable connect to node", level=logging.INFO)) for _ in range(5))
