"""How far the timeline agent has routed its inputs: the time a tick may claim.

A tick at time T tells the tracker that no event stamped before T − lateness is
still on its way. Per input partition, that holds up to *now* once the partition
is caught up; while it still has a backlog, up to the latest event time routed
from it (events within a partition are assumed at most ``allowed_lateness`` out
of order). A tick carries these claims per partition; the tracker's clock takes the minimum over
all input partitions (models.partition_clock), as a stream processor's low watermark
does: a backfill of old events holds time back until it is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Hashable, Iterable


@dataclass
class InputProgress:
    next_offset: dict[Hashable, int] = field(default_factory=dict)
    latest_event_time: dict[Hashable, datetime] = field(default_factory=dict)

    def routed(self, tp: Hashable, offset: int, event_time: datetime | None) -> None:
        """Record one input record handled (``event_time`` None: it was dead-lettered)."""
        self.next_offset[tp] = offset + 1
        known = self.latest_event_time.get(tp)
        if event_time is not None and (known is None or event_time > known):
            self.latest_event_time[tp] = event_time

    def claims(
        self,
        assigned: Iterable[Hashable],
        highwater: Callable[[Hashable], int | None],
        committed: Callable[[Hashable], int | None],
        now: datetime,
    ) -> dict[Hashable, datetime]:
        """Per input partition, the latest time a tick may claim for it; a partition that
        can promise nothing yet is left out (its previous claim stands)."""
        found = {tp: self._claim(tp, highwater(tp), committed(tp) or 0, now) for tp in assigned}
        return {tp: at for tp, at in found.items() if at is not None}

    def _claim(self, tp: Hashable, highwater: int | None, committed: int, now: datetime) -> datetime | None:
        if highwater is None:
            return None  # not fetched yet: the backlog is unknown
        if highwater <= max(self.next_offset.get(tp, 0), committed):
            return now
        latest = self.latest_event_time.get(tp)
        return min(latest, now) if latest else None
