"""Where input partitions resume after an assignment: a partition nothing was ever committed on
is read from its first offset, not from wherever the fetcher stood (records Faust dropped
while its flow was suspended would be lost for good)."""

from __future__ import annotations

import asyncio
from typing import NamedTuple

from streams.runtime.resume_check import ResumeCheck
from streams.runtime.resume_points import ResumePoints, seek_uncommitted_after_faust


class TP(NamedTuple):
    topic: str
    partition: int


ATTEMPTS_0, ATTEMPTS_1, CHANGELOG_0 = TP("attempts", 0), TP("attempts", 1), TP("lead-state-changelog", 0)


class FaustConsumer:
    """The consumer as Faust's recovery leaves it after its own seek: committed offsets known
    (Faust keeps None for a partition with none, or with 0), fetch positions wherever they stood."""

    def __init__(self, committed: dict, first: dict) -> None:
        self._committed_offset = committed
        self.first = first
        self.sought: dict = {}
        self.faust_seeks = 0

    def assignment(self) -> set:
        return {ATTEMPTS_0, ATTEMPTS_1, CHANGELOG_0}

    async def perform_seek(self) -> None:
        self.faust_seeks += 1

    async def earliest_offsets(self, *tps) -> dict:
        return {tp: self.first[tp] for tp in tps}

    async def seek_wait(self, offsets: dict) -> None:
        self.sought.update(offsets)


def resumed(consumer: FaustConsumer) -> ResumePoints:
    points = ResumePoints(lambda tp: tp.topic == "attempts")
    seek_uncommitted_after_faust(consumer, points)
    asyncio.run(consumer.perform_seek())
    return points


def test_an_uncommitted_partition_is_sought_to_its_first_offset_and_resumes_there():
    consumer = FaustConsumer(committed={ATTEMPTS_0: 40}, first={ATTEMPTS_1: 7})
    points = resumed(consumer)
    assert consumer.faust_seeks == 1  # Faust's own seek still runs first
    assert consumer.sought == {ATTEMPTS_1: 7}  # not the committed one, nor the changelog
    assert (points.get(ATTEMPTS_0), points.get(ATTEMPTS_1), points.get(CHANGELOG_0)) == (40, 7, None)


def test_nothing_is_known_before_the_seek_or_after_a_rebalance():
    points = ResumePoints(lambda tp: True)
    assert points.get(ATTEMPTS_0) is None
    consumer = FaustConsumer(committed={ATTEMPTS_0: 40, ATTEMPTS_1: 3}, first={})
    points = resumed(consumer)
    assert consumer.sought == {}
    points.forget()
    assert points.get(ATTEMPTS_0) is None


def test_records_fetched_before_the_seek_of_an_uncommitted_partition_are_read_again_from_its_first():
    """The failure seen: a worker fetched a partition's backlog while its flow was suspended,
    Faust dropped it, and nothing brought it back. Now the resume check rewinds to the first offset."""
    consumer = FaustConsumer(committed={ATTEMPTS_0: 40}, first={ATTEMPTS_1: 0})
    points = ResumePoints(lambda tp: tp.topic == "attempts")
    seek_uncommitted_after_faust(consumer, points)
    rewinds: list[int] = []
    check = ResumeCheck(points.get, lambda tp, offset: rewinds.append(offset))
    assert check.admit(ATTEMPTS_1, 500)  # handed over before the seek: where it resumes is not known yet
    asyncio.run(consumer.perform_seek())
    assert not check.admit(ATTEMPTS_1, 501)  # set aside: offsets 0 to 499 were never handled
    assert rewinds == [0]
    assert check.admit(ATTEMPTS_1, 0)
