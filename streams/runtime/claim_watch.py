"""Says so in the log when an owned input partition can claim no time for long.

A partition whose time stands still decides nothing more, silently. After
``UNCLAIMED_TOO_LONG_S`` the watch logs, once per assignment, what the worker knows about
its input partitions: what Faust has handed over, where it resumed, and whether Faust
still fetches them (active, paused, buffered) and where aiokafka reads. The line tells a
partition Faust stopped fetching from one whose records were fetched but never handed
over.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Iterable

UNCLAIMED_TOO_LONG_S = 30.0
log = logging.getLogger("leadsla.clock")


class ClaimWatch:
    def __init__(self, describe: Callable[[int], str], now: Callable[[], float] = time.monotonic) -> None:
        """``describe(partition)``: the state of the partition's input partitions, for the log."""
        self.describe = describe
        self.now = now
        self._unclaimed_since: dict[int, float] = {}
        self._told: set[int] = set()

    def observe(self, owned: Iterable[int], claimed: Iterable[int]) -> None:
        """One tick's view: the partitions owned, and those it could claim time for."""
        owned, claimed, now = set(owned), set(claimed), self.now()
        for partition in owned - claimed:
            since = self._unclaimed_since.setdefault(partition, now)
            if now - since >= UNCLAIMED_TOO_LONG_S and partition not in self._told:
                self._told.add(partition)
                log.warning("partition %d: no time claimed for %.0f s since it was assigned or last claimed: %s",
                            partition, now - since, self.describe(partition))
        for partition in set(self._unclaimed_since) - (owned - claimed):
            del self._unclaimed_since[partition]
            self._told.discard(partition)

    def forget(self) -> None:
        """After a rebalance: ownership starts anew."""
        self._unclaimed_since.clear()
        self._told.clear()
