"""The time a tick may claim for each input partition: now once caught up, held back by
its backlog; a partition that can promise nothing yet is left out."""

from datetime import datetime, timedelta, timezone

from streams.runtime.input_progress import InputProgress

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
MARCH = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)


def claims(progress, highwaters, committed=None):
    committed = committed or {}
    return progress.claims(highwaters, highwaters.get, committed.get, NOW)


def test_caught_up_partitions_claim_now():
    progress = InputProgress()
    progress.read("a", 0, MARCH)
    assert claims(progress, {"a": 1, "b": 0}) == {"a": NOW, "b": NOW}  # b is empty, a fully routed


def test_a_backfill_holds_time_at_the_latest_event_routed_from_it():
    progress = InputProgress()
    progress.read("a", 0, MARCH)
    progress.read("b", 0, MARCH + timedelta(minutes=30))
    progress.read("b", 1, MARCH + timedelta(minutes=10))  # out of order: the latest stays
    assert claims(progress, {"a": 1, "b": 9}) == {"a": NOW, "b": MARCH + timedelta(minutes=30)}


def test_nothing_is_claimed_before_every_partition_was_fetched_or_while_a_backlog_has_no_event_yet():
    progress = InputProgress()
    assert claims(progress, {"a": None}) == {}
    assert claims(progress, {"a": 5}) == {}
    assert claims(progress, {"a": 5, "b": 0}) == {"b": NOW}  # b's claim does not wait for a


def test_the_committed_offset_of_a_restarted_worker_counts_as_routed():
    assert claims(InputProgress(), {"a": 7}, committed={"a": 7}) == {"a": NOW}


def test_a_dead_lettered_record_advances_the_offset_without_an_event_time():
    progress = InputProgress()
    progress.read("a", 0, MARCH)
    progress.read("a", 1, None)
    assert claims(progress, {"a": 2}) == {"a": NOW}


def test_an_event_stamped_ahead_of_now_never_lets_a_tick_claim_the_future():
    progress = InputProgress()
    progress.read("a", 0, NOW + timedelta(minutes=20))
    assert claims(progress, {"a": 5}) == {"a": NOW}


def test_a_caught_up_partition_claims_the_time_its_highwater_was_learnt_not_now():
    progress = InputProgress()
    progress.read("p", 4, NOW)
    learnt = NOW - timedelta(seconds=4)  # a loaded worker: the last fetch answer is 4 s old
    assert progress.claims(["p"], {"p": 5}.get, {}.get, NOW, lambda tp: learnt) == {"p": learnt}
