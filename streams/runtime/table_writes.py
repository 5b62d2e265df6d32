"""Writing a Faust table's store and a changelog partition the caller names.

Faust's own ``table[key] = value`` sends the change to the partition of the event being
processed, so it works only inside an agent's stream. The live windows (written once per
batch, at the commit) and the alert sweep (on a timer) know the partition themselves.
"""

from __future__ import annotations

from typing import Any

import faust


def put(table: faust.Table, partition: int, key: Any, value: Any) -> None:
    table.data[key] = value
    table.send_changelog(partition, key, value)


def delete(table: faust.Table, partition: int, key: Any) -> None:
    del table.data[key]
    table.send_changelog(partition, key, None, value_serializer="raw")  # a tombstone, as Faust's own delete
