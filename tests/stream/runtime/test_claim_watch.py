"""The claim watch: a partition owned but unclaimed for long is logged once, with its state."""

from __future__ import annotations

import logging

from streams.runtime.claim_watch import UNCLAIMED_TOO_LONG_S, ClaimWatch


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def watched(caplog) -> tuple[ClaimWatch, Clock]:
    caplog.set_level(logging.WARNING, logger="leadsla.clock")
    clock = Clock()
    return ClaimWatch(lambda p: f"state of {p}", now=clock), clock


def test_a_partition_unclaimed_for_long_is_logged_once_with_its_state(caplog):
    watch, clock = watched(caplog)
    for second in range(0, int(UNCLAIMED_TOO_LONG_S) + 10):
        clock.t = second
        watch.observe(owned={0, 2}, claimed={0})
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 and lines[0].startswith("partition 2: no time claimed for 30 s") and "state of 2" in lines[0]


def test_claiming_again_or_a_rebalance_starts_the_wait_anew(caplog):
    watch, clock = watched(caplog)
    watch.observe(owned={2}, claimed=set())
    clock.t = UNCLAIMED_TOO_LONG_S - 1
    watch.observe(owned={2}, claimed={2})  # claimed in time
    clock.t = UNCLAIMED_TOO_LONG_S + 5
    watch.observe(owned={2}, claimed=set())
    watch.forget()
    clock.t = 2 * UNCLAIMED_TOO_LONG_S
    watch.observe(owned={2}, claimed=set())
    assert caplog.records == []
