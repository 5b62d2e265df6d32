"""Each partition's clock: the watermark, moved only by ticks.

A tick on partition p says "every input record of partition p stamped up to T has been
read". The inputs are co-partitioned by lead id, so only the worker that owns p's inputs
writes p's ticks, and only up to what it has read (streams.runtime.input_progress); no
other worker's lag can matter to p. The watermark is the latest tick's time minus the
allowed lateness. Ticks only ever move it forward, and the latest is kept in a table
with a changelog, so a rebalance hands the clock over with the partition.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import MutableMapping

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class PartitionClock:
    def __init__(self, latest_seen: MutableMapping[str, float], allowed_lateness: timedelta) -> None:
        """``latest_seen``: partition number (as a string key) -> Unix seconds of its latest tick."""
        self.latest_seen = latest_seen
        self.allowed_lateness = allowed_lateness
        self._watermarks: dict[int, datetime] = {}

    def claim(self, partition: int, at: datetime) -> bool:
        """Record a tick; True when the partition's watermark moved."""
        key, seconds = str(partition), at.timestamp()
        if seconds <= self.latest_seen.get(key, float("-inf")):
            return False
        self.latest_seen[key] = seconds
        self._watermarks.pop(partition, None)
        return True

    def watermark(self, partition: int) -> datetime:
        known = self._watermarks.get(partition)
        if known is None:
            known = self._watermarks[partition] = self._latest(partition) - self.allowed_lateness
        return known

    def forget(self, partition: int) -> None:
        self._watermarks.pop(partition, None)

    def _latest(self, partition: int) -> datetime:
        seconds = self.latest_seen.get(str(partition))
        if seconds is None:
            return EPOCH + self.allowed_lateness  # no tick yet: nothing has passed
        return datetime.fromtimestamp(seconds, timezone.utc)
