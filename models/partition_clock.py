"""Each timeline partition's clock: the watermark, moved only by ticks.

A tick carries claims: "every record of input partition S up to time T has been routed
to the timeline". Only the worker that owns S may claim it, and only up to what it has
consumed, so with several workers each claims its own inputs. A timeline partition can
hold events from every input partition (the inputs need not be keyed by lead), so its
watermark is the lowest claim over all of them, minus the allowed lateness: a worker
that is caught up never moves time on a partition another worker is still reading.
Claims only ever move forward, so a rebalance hands the clock over with the partition.

A tick without claims (replays of one recorded stream, tests) claims everything.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Collection, MutableMapping

from models.events import Tick

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
ALL_SOURCES = "*"


class PartitionClock:
    def __init__(self, latest_seen: MutableMapping, allowed_lateness: timedelta,
                 sources: Collection[str] | None = None) -> None:
        """``latest_seen``: "partition/source" -> epoch seconds of the latest claim (a table
        with a changelog in the worker); ``sources``: every input partition ("topic:n"),
        or None when ticks claim everything."""
        self.latest_seen = latest_seen
        self.allowed_lateness = allowed_lateness
        self.sources = tuple(sources) if sources else (ALL_SOURCES,)
        self._watermarks: dict[int, datetime] = {}

    def observe(self, partition: int, tick: Tick) -> None:
        claims = {ALL_SOURCES: tick.at} if not tick.claims else tick.claims
        self.claim(partition, claims)

    def claim(self, partition: int, claims: dict[str, datetime]) -> bool:
        """Record claims; True when the partition's watermark moved."""
        moved = False
        for source, at in claims.items():
            key = f"{partition}/{source}"
            seconds = at.timestamp()
            if seconds > self.latest_seen.get(key, float("-inf")):
                self.latest_seen[key] = seconds
                moved = True
        if moved:
            self._watermarks.pop(partition, None)
        return moved

    def watermark(self, partition: int) -> datetime:
        known = self._watermarks.get(partition)
        if known is None:
            known = self._watermarks[partition] = self._lowest_claim(partition) - self.allowed_lateness
        return known

    def forget(self, partition: int) -> None:
        self._watermarks.pop(partition, None)

    def _lowest_claim(self, partition: int) -> datetime:
        claims = [self.latest_seen.get(f"{partition}/{source}") for source in self.sources]
        if any(claim is None for claim in claims):
            return EPOCH + self.allowed_lateness  # an input nobody has claimed yet holds time back
        return datetime.fromtimestamp(min(claims), timezone.utc)
