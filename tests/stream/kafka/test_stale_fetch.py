"""A fetch that returns across a rebalance hands nothing over and rewinds what it drained.

aiokafka's consumer is stood in for (this tests the layer above it): its assignment, and the
seeks the guard makes; the fetch itself is the next class in line, as Faust's is in the worker.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from aiokafka.structs import TopicPartition

from streams.kafka.stale_fetch import StaleFetchGuard

CHANGELOG = TopicPartition("app-lead-state-changelog", 0)
GONE = TopicPartition("app-lead-state-changelog", 1)


class AiokafkaConsumer:
    def __init__(self) -> None:
        self._subscription = SimpleNamespace(subscription=SimpleNamespace(assignment=object()))
        self.seeks: list[tuple[TopicPartition, int]] = []

    def seek(self, tp: TopicPartition, offset: int) -> None:
        if tp == GONE:
            raise RuntimeError("IllegalStateError: partition not assigned")
        self.seeks.append((tp, offset))


class Fetch:
    """Faust's ``_fetch_records``: returns ``records``, the assignment changed during it or not."""

    def __init__(self, records: dict, rebalance: bool, flow_active: bool = True) -> None:
        self.records, self.rebalance = records, rebalance
        self.consumer = SimpleNamespace(flow_active=flow_active)

    async def _fetch_records(self, consumer, active_partitions, timeout=None, max_records=None):
        if self.rebalance:
            consumer._subscription.subscription = SimpleNamespace(assignment=object())
        return self.records


class Thread(StaleFetchGuard, Fetch):
    pass


def fetched(*offsets: int) -> list:
    return [SimpleNamespace(offset=n) for n in offsets]


def test_a_fetch_that_outlived_a_rebalance_is_read_again_from_its_first_record():
    consumer = AiokafkaConsumer()
    records = {CHANGELOG: fetched(0, 1, 2), GONE: fetched(7)}
    got = asyncio.run(Thread(records, rebalance=True)._fetch_records(consumer, set()))
    assert got == {}
    assert consumer.seeks == [(CHANGELOG, 0)]  # the partition no longer assigned is its next owner's


def test_a_fetch_returning_while_the_flow_is_stopped_is_read_again():
    consumer = AiokafkaConsumer()
    got = asyncio.run(Thread({CHANGELOG: fetched(4)}, rebalance=False, flow_active=False)._fetch_records(consumer, set()))
    assert got == {} and consumer.seeks == [(CHANGELOG, 4)]


def test_an_ordinary_fetch_is_handed_over_untouched():
    consumer = AiokafkaConsumer()
    records = {CHANGELOG: fetched(0, 1)}
    assert asyncio.run(Thread(records, rebalance=False)._fetch_records(consumer, set())) is records
    assert consumer.seeks == []
