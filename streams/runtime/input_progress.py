"""How far the timeline agent has routed its inputs: the time a tick may claim.

A tick at time T tells the tracker that no event stamped before T − lateness is
still on its way. Per input partition, that holds up to *now* once the partition
is caught up; while it still has a backlog, up to the latest event time routed
from it (events within a partition are assumed at most ``allowed_lateness`` out
of order). The tick takes the minimum over partitions, as a stream processor's
low watermark does: a backfill of old events holds time back until it is read.
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

    def tick_time(
        self,
        assigned: Iterable[Hashable],
        highwater: Callable[[Hashable], int | None],
        committed: Callable[[Hashable], int | None],
        now: datetime,
    ) -> datetime | None:
        """The latest time a tick may claim, or None when nothing can be promised yet."""
        claims = [self._claim(tp, highwater(tp), committed(tp) or 0, now) for tp in assigned]
        if not claims or any(claim is None for claim in claims):
            return None
        return min(claims)

    def _claim(self, tp: Hashable, highwater: int | None, committed: int, now: datetime) -> datetime | None:
        if highwater is None:
            return None  # not fetched yet: the backlog is unknown
        if highwater <= max(self.next_offset.get(tp, 0), committed):
            return now
        latest = self.latest_event_time.get(tp)
        return min(latest, now) if latest else None
