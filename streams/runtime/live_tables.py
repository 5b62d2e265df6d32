"""Windowed live tables for dashboards: speed-to-lead per team, attempts per lead
and per rep per day.

Faust expires windows on wall-clock time, so these tables serve the live view
only; audit numbers come from outcomes, never from here.

The tables' names and their key format (team and rep keys carry the timeline
partition) are declared in streams.metrics.names, which the reader
(streams.runtime.gauge_timer) uses too. Readers sum over partitions.
"""

from __future__ import annotations

from datetime import timedelta

import faust

from models.events import ContactAttempt
from models.outcomes import Outcome
from streams.metrics.names import LEAD_ATTEMPTS_TABLE, REP_ATTEMPTS_TABLE, SPEED_TABLE, partition_key

SPEED_WINDOW = timedelta(hours=1)
DAY = timedelta(days=1)
KEEP = timedelta(days=7)


class LiveTables:
    def __init__(self, app: faust.App, partitions: int) -> None:
        self.speed_by_team = app.Table(
            SPEED_TABLE, default=_empty_speed, partitions=partitions
        ).tumbling(SPEED_WINDOW, expires=KEEP).relative_to_stream()
        self.attempts_by_lead = app.Table(
            LEAD_ATTEMPTS_TABLE, default=int, partitions=partitions
        ).tumbling(DAY, expires=KEEP).relative_to_stream()
        self.attempts_by_rep = app.Table(
            REP_ATTEMPTS_TABLE, default=int, partitions=partitions
        ).tumbling(DAY, expires=KEEP).relative_to_stream()

    def count_attempt(self, attempt: ContactAttempt, partition: int) -> None:
        self.attempts_by_lead[attempt.lead_id] += 1
        self.attempts_by_rep[partition_key(attempt.rep, partition)] += 1

    def observe_outcome(self, outcome: Outcome, partition: int) -> None:
        if outcome.kind not in ("met", "contacted_late"):
            return
        key = partition_key(str(outcome.team), partition)
        count, wall, business = self.speed_by_team[key].value()
        self.speed_by_team[key] = [count + 1, wall + (outcome.wall_seconds or 0.0),
                                            business + (outcome.business_seconds or 0.0)]


def _empty_speed() -> list:
    return [0, 0.0, 0.0]  # leads contacted, wall seconds, business seconds
