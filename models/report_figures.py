"""The figures of one group of leads (a day, a week, a team, a segment, a rep): counts,
shares and the spread of speed-to-lead; and of follow-up depth.

Pure arithmetic over outcomes already chosen by models.report: no I/O, no clock.
Definitions an auditor can redo by hand:

- *decided*: a lead cycle's first verdict, ``met`` or ``breached``, counted when it is
  made (at first contact, or at the deadline);
- *speed*: time from handoff to first qualifying contact, over the leads first
  contacted (``met`` or ``contacted_late``); wall clock and the segment's own clock;
- *median*: the middle value (the mean of the two middle ones for an even count);
  *p90*: nearest rank, the smallest value that 90% of the values do not exceed.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Sequence

from models.outcomes import Outcome

DECISIONS = frozenset({"met", "breached"})
CONTACTS = frozenset({"met", "contacted_late"})


@dataclass(frozen=True)
class Spread:
    """Average, median and 90th percentile of some seconds; None when there are none."""

    average: float | None = None
    median: float | None = None
    p90: float | None = None


def spread(values: Sequence[float]) -> Spread:
    if not values:
        return Spread()
    ordered = sorted(values)
    return Spread(statistics.fmean(ordered), statistics.median(ordered), nearest_rank(ordered, 0.9))


def nearest_rank(ordered: Sequence[float], share: float) -> float:
    """The smallest value with at least ``share`` of the values at or below it."""
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


@dataclass(frozen=True)
class SpeedFigures:
    leads_decided: int = 0
    met: int = 0
    breached: int = 0
    contacted: int = 0  # leads first contacted in the group (met or late): what the spreads are over
    wall: Spread = Spread()
    business: Spread = Spread()  # on the segment's clock (business hours, or 24x7 = wall)

    @property
    def share_within_target(self) -> float | None:
        return self.met / self.leads_decided if self.leads_decided else None


def speed_figures(decisions: Sequence[Outcome], contacts: Sequence[Outcome]) -> SpeedFigures:
    met = sum(1 for o in decisions if o.kind == "met")
    return SpeedFigures(
        leads_decided=len(decisions), met=met, breached=len(decisions) - met, contacted=len(contacts),
        wall=spread([o.wall_seconds or 0.0 for o in contacts]),
        business=spread([o.business_seconds or 0.0 for o in contacts]),
    )


@dataclass(frozen=True)
class DepthFigures:
    """Follow-up periods that ended in the group, and the ones that ended short of the target
    with no connect (depth breaches) with their attempts."""

    periods_ended: int = 0
    depth_breached: int = 0
    average_attempts: float | None = None  # over the depth breaches
    average_target: float | None = None  # the segments' targets of the same leads

    @property
    def share_within_target(self) -> float | None:
        if not self.periods_ended:
            return None
        return 1 - self.depth_breached / self.periods_ended


def depth_figures(periods_ended: int, breaches: Sequence[tuple[int, int]]) -> DepthFigures:
    """``breaches``: (attempts, target attempts) of each depth breach."""
    if not breaches:
        return DepthFigures(periods_ended=periods_ended)
    return DepthFigures(
        periods_ended=max(periods_ended, len(breaches)), depth_breached=len(breaches),
        average_attempts=statistics.fmean(a for a, _ in breaches),
        average_target=statistics.fmean(t for _, t in breaches),
    )
