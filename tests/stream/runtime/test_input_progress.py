"""The time a tick may claim: now once caught up, held back by any backlog."""

from datetime import datetime, timedelta, timezone

from streams.runtime.input_progress import InputProgress

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
MARCH = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)


def claim(progress, highwaters, committed=None):
    committed = committed or {}
    return progress.tick_time(highwaters, highwaters.get, committed.get, NOW)


def test_caught_up_partitions_claim_now():
    progress = InputProgress()
    progress.routed("a", 0, MARCH)
    assert claim(progress, {"a": 1, "b": 0}) == NOW  # b is empty, a fully routed


def test_a_backfill_holds_time_at_the_latest_event_routed_from_it():
    progress = InputProgress()
    progress.routed("a", 0, MARCH)
    progress.routed("b", 0, MARCH + timedelta(minutes=30))
    progress.routed("b", 1, MARCH + timedelta(minutes=10))  # out of order: the latest stays
    assert claim(progress, {"a": 1, "b": 9}) == MARCH + timedelta(minutes=30)


def test_nothing_is_claimed_before_every_partition_was_fetched_or_while_a_backlog_has_no_event_yet():
    progress = InputProgress()
    assert claim(progress, {"a": None}) is None
    assert claim(progress, {"a": 5}) is None
    assert claim(progress, {}) is None


def test_the_committed_offset_of_a_restarted_worker_counts_as_routed():
    assert claim(InputProgress(), {"a": 7}, committed={"a": 7}) == NOW


def test_a_dead_lettered_record_advances_the_offset_without_an_event_time():
    progress = InputProgress()
    progress.routed("a", 0, MARCH)
    progress.routed("a", 1, None)
    assert claim(progress, {"a": 2}) == NOW


def test_an_event_stamped_ahead_of_now_never_lets_a_tick_claim_the_future():
    progress = InputProgress()
    progress.routed("a", 0, NOW + timedelta(minutes=20))
    assert claim(progress, {"a": 5}) == NOW
