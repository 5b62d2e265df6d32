"""Each input partition is handled from its committed offset with no record left out, even
when Faust hands records over before its seek to the committed offsets and drops one."""

from __future__ import annotations

from streams.runtime.resume_check import ResumeCheck

TP = ("leads.contact-attempts", 2)


class Consumer:
    """Where the worker resumed (None until Faust's seek), and the rewinds asked for."""

    def __init__(self) -> None:
        self.committed: int | None = None
        self.rewinds: list[int] = []


def check(consumer: Consumer) -> ResumeCheck:
    return ResumeCheck(lambda tp: consumer.committed, lambda tp, offset: consumer.rewinds.append(offset))


def handled(resume: ResumeCheck, offsets) -> list[int]:
    return [offset for offset in offsets if resume.admit(TP, offset)]


def test_records_from_the_committed_offset_on_are_all_handled():
    consumer = Consumer()
    consumer.committed = 3
    resume = check(consumer)
    assert handled(resume, [3, 4, 5]) == [3, 4, 5]
    assert consumer.rewinds == []


def test_records_handed_over_before_the_seek_and_again_after_it_are_handled():
    consumer = Consumer()
    resume = check(consumer)
    assert handled(resume, [3, 4]) == [3, 4]  # before the seek: where it resumed is not known yet
    consumer.committed = 3
    assert handled(resume, [3, 4, 5]) == [3, 4, 5]  # again after it: the tracker ignores repeats
    assert consumer.rewinds == []


def test_a_first_record_dropped_in_the_seek_window_is_read_again_and_nothing_after_it_runs_ahead():
    consumer = Consumer()
    resume = check(consumer)
    assert handled(resume, [4, 5]) == [4, 5]  # offset 3 fell through before the seek
    consumer.committed = 3
    assert handled(resume, [6, 7]) == []  # set aside: the partition is being read again
    assert set(consumer.rewinds) == {3}  # asked again while records fetched before the seek still come
    assert handled(resume, [3, 4, 5, 6, 7, 8]) == [3, 4, 5, 6, 7, 8]


def test_a_partition_that_never_committed_is_read_from_wherever_it_starts():
    consumer = Consumer()
    resume = check(consumer)
    assert handled(resume, [0, 1, 2]) == [0, 1, 2]
    assert consumer.rewinds == []


def test_after_a_rebalance_the_partition_is_checked_again():
    consumer = Consumer()
    consumer.committed = 3
    resume = check(consumer)
    assert handled(resume, [3, 4]) == [3, 4]
    resume.forget()
    consumer.committed = 10
    assert handled(resume, [12]) == []
    assert set(consumer.rewinds) == {10}


def test_a_hole_that_holds_no_record_does_not_stop_the_partition():
    """A transactional producer's commit marker takes an offset no consumer is handed:
    resuming right at one looks like a hole, and the read comes round to its end twice."""
    consumer = Consumer()
    consumer.committed = 3  # offset 3 is a commit marker
    resume = check(consumer)
    assert handled(resume, [4, 5]) == []  # set aside: is 3 a record that was dropped?
    assert handled(resume, [4]) == [4]  # read again from 3, nothing before 4 a second time: no record there
    assert handled(resume, [5, 6]) == [5, 6]
