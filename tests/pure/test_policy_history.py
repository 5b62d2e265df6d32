"""Which policy version is in force at a moment, and during a period (models.policy_history)."""

from __future__ import annotations

from datetime import date, datetime, timezone

from models.policy_history import PolicyHistory, PolicyVersion
from tests.pure.events import example_policy

POLICY = example_policy()
HISTORY = PolicyHistory((PolicyVersion("a", date(2026, 1, 1), POLICY), PolicyVersion("b", date(2026, 11, 2), POLICY),
                         PolicyVersion("c", date(2027, 1, 1), POLICY)))


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_which_version_is_in_force():
    history = HISTORY
    # Midnight of 2 Nov in New York is 05:00 UTC (EST, the day after the clocks went back).
    assert history.index_at(datetime(2026, 11, 2, 4, 59, tzinfo=timezone.utc)) == 0
    assert history.index_at(datetime(2026, 11, 2, 5, 0, tzinfo=timezone.utc)) == 1
    assert history.index_at(datetime(2025, 6, 1, tzinfo=timezone.utc)) == 0  # before any: the earliest
    assert (history.on_day(date(2026, 11, 1)).name, history.on_day(date(2026, 11, 2)).name) == ("a", "b")


def test_spans_clip_each_version_to_the_period():
    # 30 Oct 00:00 EDT to 4 Nov 00:00 EST: "a" until midnight of 2 Nov (EST), then "b"; "c" not yet.
    spans = HISTORY.spans(utc(2026, 10, 30, 4), utc(2026, 11, 4, 5))
    assert spans == [(0, utc(2026, 10, 30, 4), utc(2026, 11, 2, 5)), (1, utc(2026, 11, 2, 5), utc(2026, 11, 4, 5))]


def test_versions_need_distinct_dates_in_order():
    import pytest

    with pytest.raises(ValueError, match="distinct effective dates"):
        PolicyHistory((PolicyVersion("b", date(2026, 11, 2), POLICY), PolicyVersion("a", date(2026, 1, 1), POLICY)))
