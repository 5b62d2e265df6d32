"""The claim watch: an owned partition whose time stands still for long is logged once, with its state."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from streams.runtime.claim_watch import STILL_TOO_LONG_S, ClaimWatch

T0 = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def watched(caplog) -> tuple[ClaimWatch, Clock]:
    caplog.set_level(logging.WARNING, logger="leadsla.clock")
    clock = Clock()
    return ClaimWatch(lambda p: f"state of {p}", now=clock), clock


def lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records]


def test_a_partition_that_never_claims_is_logged_once_with_its_state(caplog):
    watch, clock = watched(caplog)
    for second in range(0, int(STILL_TOO_LONG_S) + 10):
        clock.t = second
        watch.observe(owned={0, 2}, claims={0: T0 + timedelta(seconds=second)})
    assert len(lines(caplog)) == 1
    assert lines(caplog)[0].startswith("partition 2: its time has stood still for 30 s (claim: none yet)")
    assert "state of 2" in lines(caplog)[0]


def test_a_partition_claiming_the_same_time_over_and_over_is_logged(caplog):
    """Records stopped coming: the claim is the latest event time read, tick after tick."""
    watch, clock = watched(caplog)
    for second in range(0, int(STILL_TOO_LONG_S) + 2):
        clock.t = second
        watch.observe(owned={1}, claims={1: T0})
    assert [line[:48] for line in lines(caplog)] == ["partition 1: its time has stood still for 30 s ("]


def test_time_moving_again_or_a_rebalance_starts_the_wait_anew(caplog):
    watch, clock = watched(caplog)
    watch.observe(owned={2}, claims={})
    clock.t = STILL_TOO_LONG_S - 1
    watch.observe(owned={2}, claims={2: T0})  # claimed in time
    clock.t = 2 * STILL_TOO_LONG_S - 2
    watch.observe(owned={2}, claims={2: T0})
    watch.forget()
    clock.t = 3 * STILL_TOO_LONG_S
    watch.observe(owned={2}, claims={})
    assert lines(caplog) == []
