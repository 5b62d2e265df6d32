"""The windowed live tables' keys are registered for Faust's expiry once, not once per write."""

from __future__ import annotations

import faust

from streams.runtime.live_tables import DAY, KEEP, register_expiry


def windowed_table() -> faust.Table:
    app = faust.App("live-tables-test", broker="kafka://127.0.0.1:1")  # never started: no broker is reached
    return app.Table("attempts", default=int, partitions=4).tumbling(DAY, expires=KEEP).table


def test_a_key_written_many_times_is_registered_for_expiry_once():
    table = windowed_table()
    window = table.window.current(1_700_000_000.0)
    for _ in range(500):  # a busy lead-day: one write per batch
        register_expiry(table, ("L-1", window), 2)
    register_expiry(table, ("L-2", window), 2)
    assert len(table._partition_timestamps[2]) == 2  # Faust's own write path would hold 501
    assert table._partition_timestamp_keys[(2, window[1])] == {("L-1", window), ("L-2", window)}


def test_a_key_in_another_partition_or_window_is_registered_on_its_own():
    table = windowed_table()
    today, tomorrow = (table.window.current(1_700_000_000.0 + n * 86_400) for n in (0, 1))
    for key, partition in ((("L-1", today), 0), (("L-1", tomorrow), 0), (("L-1", today), 1)):
        register_expiry(table, key, partition)
        register_expiry(table, key, partition)
    assert (len(table._partition_timestamps[0]), len(table._partition_timestamps[1])) == (2, 1)
