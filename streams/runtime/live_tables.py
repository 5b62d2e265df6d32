"""Windowed live tables for dashboards: speed-to-lead per team, attempts per lead
and per rep per day.

They sit off the per-event path: the tracker adds to them in memory as it steps a
batch, and ``flush()`` writes each touched window once per batch (one changelog
message per key and window, not one per event). Windows follow event time: an
attempt counts on the day it was made, a contact in the hour it happened.

Faust expires windows on wall-clock time, so these tables serve the live view
only; audit numbers come from outcomes, never from here.

The tables' names and their key format (team and rep keys carry the partition) are
declared in streams.metrics.names, which the reader (streams.runtime.gauge_timer)
uses too. Readers sum over partitions.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import faust

from models.events import ContactAttempt
from models.outcomes import Outcome
from streams.metrics.names import LEAD_ATTEMPTS_TABLE, REP_ATTEMPTS_TABLE, SPEED_TABLE, partition_key
from streams.runtime import table_writes

SPEED_WINDOW = timedelta(hours=1)
DAY = timedelta(days=1)
KEEP = timedelta(days=7)

class LiveTables:
    def __init__(self, app: faust.App, partitions: int) -> None:
        self.speed_by_team = _windowed(app, SPEED_TABLE, _empty_speed, partitions, SPEED_WINDOW)
        self.attempts_by_lead = _windowed(app, LEAD_ATTEMPTS_TABLE, int, partitions, DAY)
        self.attempts_by_rep = _windowed(app, REP_ATTEMPTS_TABLE, int, partitions, DAY)
        self._counts: dict[faust.Table, dict[tuple, int]] = {}
        self._speeds: dict[tuple, list] = {}
        self.clear()

    def clear(self) -> None:
        self._counts = {self.attempts_by_lead: defaultdict(int), self.attempts_by_rep: defaultdict(int)}
        self._speeds = defaultdict(_empty_speed)

    def count_attempt(self, attempt: ContactAttempt, partition: int) -> None:
        at = attempt.occurred_at.timestamp()
        self._counts[self.attempts_by_lead][_window_of(self.attempts_by_lead, attempt.lead_id, at, partition)] += 1
        rep = partition_key(attempt.rep, partition)
        self._counts[self.attempts_by_rep][_window_of(self.attempts_by_rep, rep, at, partition)] += 1

    def observe_outcome(self, outcome: Outcome, partition: int) -> None:
        if outcome.kind not in ("met", "contacted_late"):
            return
        key = partition_key(str(outcome.team), partition)
        added = self._speeds[_window_of(self.speed_by_team, key, outcome.at.timestamp(), partition)]
        added[0] += 1
        added[1] += outcome.wall_seconds or 0.0
        added[2] += outcome.business_seconds or 0.0

    def flush(self) -> int:
        """Add the batch's counts to the tables; the number of changelog messages sent."""
        for table, counts in self._counts.items():
            for window_key, count in counts.items():
                _add(table, window_key, lambda old, n=count: old + n)
        for window_key, (count, wall, business) in self._speeds.items():
            _add(self.speed_by_team, window_key,
                 lambda old, c=count, w=wall, b=business: [old[0] + c, old[1] + w, old[2] + b])
        sent = sum(map(len, self._counts.values())) + len(self._speeds)
        self.clear()
        return sent


def _windowed(app: faust.App, name: str, default, partitions: int, size: timedelta) -> faust.Table:
    """The table under Faust's tumbling-window wrapper: keys are ``(key, (start, end))``."""
    return app.Table(name, default=default, partitions=partitions).tumbling(size, expires=KEEP).table


def _window_of(table: faust.Table, key: str, at: float, partition: int) -> tuple:
    """Where an addition lands: key, window (Faust's own range for ``at``) and partition."""
    return (key, table.window.current(at), partition)


def _add(table: faust.Table, window_key: tuple, combine) -> None:
    key, window, partition = window_key
    stored_key = (key, window)
    old = table.data.get(stored_key)
    value = combine(table.default() if old is None else old)
    table_writes.put(table, partition, stored_key, value)
    register_expiry(table, stored_key, partition)


def register_expiry(table: faust.Table, stored_key: tuple, partition: int) -> None:
    """Register a window key for Faust's expiry (``expires``) once. Faust's own windowed
    write registers it on every write, and each registration keeps a timestamp in a heap
    until the window expires (``KEEP`` of wall-clock time): a week of writes, unbounded in
    practice. A key recovered from the changelog is registered at its first write."""
    range_end = stored_key[1][1]
    if stored_key not in table._partition_timestamp_keys.get((partition, range_end), ()):
        table._maybe_set_key_ttl(stored_key, partition)


def _empty_speed() -> list:
    return [0, 0.0, 0.0]  # leads contacted, wall seconds, business seconds

