"""Where each input partition resumes after an assignment, and the seek that makes it so.

Faust seeks a newly assigned partition to its committed offset, and does nothing for a
partition that has none (nothing was ever committed on it: its last owner left before
committing, or read nothing). aiokafka then reads on from wherever its fetch position
stands, and Faust drops the records it fetched while its flow was suspended for the
rebalance, or before the seek. For a committed partition the seek brings them back;
for an uncommitted one nothing does: they are never handed to the tracker, the
partition's time is never claimed, and its leads decide nothing more (seen as a
quarter of the outcomes missing when a worker that had just joined left again).

``ResumePoints.after_seek`` runs right after Faust's seek: every input partition with no
committed offset is sought to its first offset, and the offset each partition resumes
from is kept for the resume check (streams.runtime.resume_check), which sees to it that
the first record handled is that one, and for the clock's idea of how far a partition
has been read.
"""

from __future__ import annotations

import logging
from typing import Callable, Hashable

log = logging.getLogger("leadsla.resume")


class ResumePoints:
    def __init__(self, is_input: Callable[[Hashable], bool]) -> None:
        self.is_input = is_input
        self._at: dict[Hashable, int] = {}

    def get(self, tp: Hashable) -> int | None:
        """The offset ``tp`` resumed from; None until the seek after its assignment is done."""
        return self._at.get(tp)

    def forget(self) -> None:
        """After a rebalance: known again once the next seek is done."""
        self._at.clear()

    async def after_seek(self, consumer) -> None:
        """Faust's consumer has sought its partitions to their committed offsets: seek the
        uncommitted ones to their first offset, and note where each resumes."""
        inputs = [tp for tp in consumer.assignment() if self.is_input(tp)]
        committed = {tp: consumer._committed_offset.get(tp) for tp in inputs}  # None: nothing, or 0
        uncommitted = [tp for tp, offset in committed.items() if offset is None]
        first = dict(await consumer.earliest_offsets(*uncommitted)) if uncommitted else {}
        if first:
            await consumer.seek_wait(first)
            log.info("reading from their first offset (nothing committed on them): %s",
                     ", ".join(f"{tp.topic}[{tp.partition}]@{offset}" for tp, offset in sorted(first.items())))
        self._at.update({tp: first[tp] if offset is None else offset for tp, offset in committed.items()})


def seek_uncommitted_after_faust(consumer, points: ResumePoints) -> None:
    """Wrap Faust's ``perform_seek`` (called by its recovery after every assignment)."""
    faust_seek = consumer.perform_seek

    async def perform_seek() -> None:
        await faust_seek()
        await points.after_seek(consumer)

    consumer.perform_seek = perform_seek
