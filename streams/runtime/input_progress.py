"""How far the tracker has read its inputs: the time a tick may claim.

A tick at time T on partition p tells the tracker that no event of p stamped before
T − lateness is still on its way. Per input partition, that holds up to *now* once
the partition is caught up; while it still has a backlog, up to the latest event
time read from it (events within a partition are assumed at most
``allowed_lateness`` out of order). The inputs are co-partitioned, so partition p's
tick claims the lowest time over the input topics' partition p, as a stream
processor's low watermark does: a backfill of old events holds time back until it
is read. Only the worker that owns p's inputs can claim it, and a rebalance hands p
over with its clock (models.partition_clock keeps the latest claim).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Hashable, Iterable, NamedTuple


class TopicPartition(NamedTuple):  # the shape of Faust's and aiokafka's TP
    topic: str
    partition: int


@dataclass
class InputProgress:
    next_offset: dict[Hashable, int] = field(default_factory=dict)
    latest_event_time: dict[Hashable, datetime] = field(default_factory=dict)

    def read(self, tp: Hashable, offset: int, event_time: datetime | None) -> int:
        """Record one input record handled (``event_time`` None: it was dead-lettered);
        returns how many offsets before it were never handed over (0 when in order)."""
        expected = self.next_offset.get(tp)
        self.next_offset[tp] = offset + 1
        known = self.latest_event_time.get(tp)
        if event_time is not None and (known is None or event_time > known):
            self.latest_event_time[tp] = event_time
        return max(0, offset - expected) if expected is not None else 0

    def position(self, tp: Hashable, committed: int | None) -> int:
        """The next offset this worker reads on ``tp``: past what it read, else where it resumed."""
        return max(self.next_offset.get(tp, 0), committed or 0)

    def claims(
        self,
        assigned: Iterable[Hashable],
        highwater: Callable[[Hashable], int | None],
        committed: Callable[[Hashable], int | None],
        now: datetime,
        seen_at: Callable[[Hashable], datetime | None] = lambda tp: None,
    ) -> dict[Hashable, datetime]:
        """Per input partition, the latest time a tick may claim for it; a partition that
        can promise nothing yet is left out (its previous claim stands). ``seen_at(tp)``:
        when ``highwater(tp)`` was learnt (a fetch response), if known."""
        found = {tp: self._claim(tp, highwater(tp), committed(tp) or 0, now, seen_at(tp)) for tp in assigned}
        return {tp: at for tp, at in found.items() if at is not None}

    def _claim(self, tp: Hashable, highwater: int | None, committed: int, now: datetime,
               seen_at: datetime | None) -> datetime | None:
        if highwater is None:
            return None  # not fetched yet: the backlog is unknown
        if highwater <= self.position(tp, committed):
            # Caught up with the log as it was when the highwater was learnt, not as it is
            # now: records appended since then (a loaded worker learns late) are unread.
            return min(now, seen_at) if seen_at else now
        latest = self.latest_event_time.get(tp)
        return min(latest, now) if latest else None


def partition_claims(claims: dict[TopicPartition, datetime], topics: Iterable[str]) -> dict[int, datetime]:
    """Per partition number, the lowest claim over ``topics``; a partition with a topic that
    has no claim (not owned, or not fetched yet) is left out."""
    topics = tuple(topics)
    partitions = {tp.partition for tp in claims}
    found = {p: [claims.get(TopicPartition(t, p)) for t in topics] for p in partitions}
    return {p: min(times) for p, times in found.items() if None not in times}
