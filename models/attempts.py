"""Contact attempts behind the watermark, summarised per cycle in a few numbers.

Once the watermark has passed an attempt, the cycle it belongs to is settled, so the
attempt itself need not be kept: only what a verdict can still ask of it. Verdicts ask
for the first attempt (any, or only human ones when automated touches do not qualify),
the first connect, and how many attempts fell within the follow-up period. That period
depends on the segment, which a late conversion can still change, so the count is kept
for every segment of the policy that has a follow-up target: a handful of numbers,
whatever the number of attempts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache

from models.calendar import BusinessCalendar, clock_for
from models.lead_records import Attempt
from models.policy import Policies, Segment


@dataclass(frozen=True, slots=True)
class InPeriod:
    segment: str
    attempts: int = 0  # every attempt up to the segment's period end
    human: int = 0  # of which not automated


@dataclass(frozen=True, slots=True)
class AttemptSummary:
    first_any: datetime | None = None
    first_human: datetime | None = None
    first_connected: datetime | None = None
    in_period: tuple[InPeriod, ...] = ()

    def first_qualifying(self, segment: Segment) -> datetime | None:
        return self.first_any if segment.automated_touches_count else self.first_human

    def counted(self, segment: Segment) -> int:
        for entry in self.in_period:
            if entry.segment == segment.name:
                return entry.attempts if segment.automated_touches_count else entry.human
        return 0


EMPTY = AttemptSummary()


def summarise(summary: AttemptSummary, attempt: Attempt, period_ends: dict[str, datetime]) -> AttemptSummary:
    """``summary`` with one more attempt; ``period_ends``: segment name -> end of its period."""
    t = attempt.occurred_at
    changes: dict = {}
    if summary.first_any is None or t < summary.first_any:
        changes["first_any"] = t
    if not attempt.automated and (summary.first_human is None or t < summary.first_human):
        changes["first_human"] = t
    if attempt.connected and (summary.first_connected is None or t < summary.first_connected):
        changes["first_connected"] = t
    counted = {e.segment: e for e in summary.in_period}
    grown = False
    for name, end in period_ends.items():
        if t <= end:
            entry = counted.get(name, InPeriod(name))
            counted[name] = InPeriod(name, entry.attempts + 1, entry.human + (not attempt.automated))
            grown = True
    if grown:
        changes["in_period"] = shared_counts(tuple(sorted(counted.values(), key=lambda e: e.segment)))
    return replace(summary, **changes) if changes else summary


# One copy of each set of per-segment counts: most leads have the same few (one attempt in
# every segment's period...), and a copy per lead was most of a finished lead's size.
_SHARED_COUNTS: dict[tuple[InPeriod, ...], tuple[InPeriod, ...]] = {}
_SHARED_COUNTS_KEPT = 65536


def shared_counts(counts: tuple[InPeriod, ...]) -> tuple[InPeriod, ...]:
    shared = _SHARED_COUNTS.get(counts)
    if shared is None:
        if len(_SHARED_COUNTS) >= _SHARED_COUNTS_KEPT:
            _SHARED_COUNTS.clear()
        shared = _SHARED_COUNTS[counts] = counts
    return shared


def period_ends(policies: Policies, team: str, handoff_at: datetime) -> dict[str, datetime]:
    """End of the follow-up period of every segment that has one, for a cycle handed off
    to ``team`` at ``handoff_at``, under the version in force then."""
    policy = policies.at(handoff_at)
    return {
        segment.name: period_end(segment, policy.calendar_for(segment, team), handoff_at)
        for segment in policy.segments
        if segment.follow_up is not None
    }


def period_end(segment: Segment, calendar: BusinessCalendar, handoff_at: datetime) -> datetime:
    follow_up = segment.follow_up
    return _period_end(follow_up.clock, calendar, handoff_at, follow_up.within)


@lru_cache(maxsize=16384)  # per handoff time: asked again and again while a lead is active, then never
def _period_end(kind, calendar: BusinessCalendar, start: datetime, within) -> datetime:
    return clock_for(kind, calendar).add_period(start, within)
