"""Says so in the log when an owned input partition's time stands still for long.

A partition whose time stands still decides nothing more, silently: it claims no time
at all, or the same time tick after tick (no record read since). After
``STILL_TOO_LONG_S`` the watch logs, once until the partition moves again, what the
worker knows about its input partitions: what Faust has handed over, where it resumed,
and whether Faust still fetches them (active, paused, buffered) and where aiokafka
reads. The line tells a partition Faust stopped fetching from one whose records were
fetched but never handed over.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Callable, Iterable, Mapping

STILL_TOO_LONG_S = 30.0
log = logging.getLogger("leadsla.clock")


class ClaimWatch:
    def __init__(self, describe: Callable[[int], str], now: Callable[[], float] = time.monotonic) -> None:
        """``describe(partition)``: the state of the partition's input partitions, for the log."""
        self.describe = describe
        self.now = now
        self._latest: dict[int, datetime | None] = {}  # the latest claim seen per partition
        self._still_since: dict[int, float] = {}
        self._told: set[int] = set()

    def observe(self, owned: Iterable[int], claims: Mapping[int, datetime]) -> None:
        """One tick's view: the partitions owned, and the time each could claim (if any)."""
        now = self.now()
        for partition in owned:
            claim, latest = claims.get(partition), self._latest.get(partition)
            if partition not in self._latest or (claim is not None and (latest is None or claim > latest)):
                self._moved(partition, claim, now)
            elif now - self._still_since[partition] >= STILL_TOO_LONG_S and partition not in self._told:
                self._told.add(partition)
                log.warning("partition %d: its time has stood still for %.0f s (claim: %s): %s", partition,
                            now - self._still_since[partition], latest.isoformat() if latest else "none yet",
                            self.describe(partition))

    def forget(self) -> None:
        """After a rebalance: ownership starts anew."""
        self._latest.clear()
        self._still_since.clear()
        self._told.clear()

    def _moved(self, partition: int, claim: datetime | None, now: float) -> None:
        self._latest[partition] = claim
        self._still_since[partition] = now
        self._told.discard(partition)
