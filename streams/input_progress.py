"""How far the timeline agent has routed its inputs: the time a tick may claim.

A tick at time T promises the tracker that every input record written before T
is already in the timeline. Per input partition that holds up to *now* once the
partition is caught up, and otherwise up to the timestamp of the last record
routed from it (timestamps within a partition only grow). The tick takes the
minimum over partitions, as a stream processor's low watermark does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable, Hashable, Iterable


@dataclass
class InputProgress:
    next_offset: dict[Hashable, int] = field(default_factory=dict)
    last_timestamp: dict[Hashable, float] = field(default_factory=dict)

    def routed(self, tp: Hashable, offset: int, timestamp_s: float | None) -> None:
        self.next_offset[tp] = offset + 1
        if timestamp_s:
            self.last_timestamp[tp] = max(timestamp_s, self.last_timestamp.get(tp, 0.0))

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
        last = self.last_timestamp.get(tp)
        return datetime.fromtimestamp(last, timezone.utc) if last else None
