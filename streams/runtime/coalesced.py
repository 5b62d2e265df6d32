"""A Faust table whose changelog is written once per key per batch, not once per change.

The tracker steps a batch of records against the table's store, then ``flush()`` sends
each changed key's final value to the changelog, before the batch's offsets are acked.
Faust flushes the producer before it commits offsets, so a crash loses no change the
committed offsets vouch for: at worst a batch is read again and its changes, being
deterministic, are made again.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, Callable, Iterator

import faust


class CoalescedTable(MutableMapping):
    def __init__(self, table: faust.Table, partition_of: Callable[[Any, Any], int]) -> None:
        """``partition_of(key, value)``: the partition whose changelog holds the key."""
        self.table = table
        self.partition_of = partition_of
        self._dirty: dict[Any, int] = {}

    @property
    def _store(self):
        return self.table.data  # the store, without Faust's write-through changelog

    def __getitem__(self, key):
        return self._store[key]

    def get(self, key, default=None):
        return self._store.get(key, default)

    def __setitem__(self, key, value) -> None:
        self._store[key] = value
        self._dirty[key] = self.partition_of(key, value)

    def __delitem__(self, key) -> None:
        raise NotImplementedError("the tracker retires leads to tombstones, never deletes them")

    def __iter__(self) -> Iterator:
        return iter(self._store)

    def __len__(self) -> int:
        return len(self._store)

    def values(self):
        return self._store.values()

    def flush(self) -> int:
        """Send every changed key's value to the changelog; the number of messages sent."""
        dirty, self._dirty = self._dirty, {}
        for key, partition in dirty.items():
            self.table.send_changelog(partition, key, self._store[key])
        return len(dirty)
