"""Which versions of the policy a report applied: each one in force during the period (and
when), or that judged a lead decided in it (a lead handed off before the period is judged by
the version in force at its handoff).

Pure: the history and the decisions come from the caller.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable

from models.outcomes import Outcome
from models.policy_history import PolicyHistory
from models.report import Period, SegmentTargets, targets_of


@dataclass(frozen=True)
class VersionApplied:
    name: str
    effective_from: date | None
    in_force_from: datetime | None  # clipped to the period; None: not in force during it
    in_force_to: datetime | None
    leads_decided: int  # lead cycles decided in the period that this version judged
    targets: dict[str, SegmentTargets] = field(default_factory=dict)  # its speed and depth targets


def versions_applied(history: PolicyHistory, period: Period,
                     decisions: Iterable[Outcome]) -> tuple[VersionApplied, ...]:
    judged = Counter(history.index_at(o.handoff_at) for o in decisions)
    spans = {index: (begins, ends) for index, begins, ends in history.spans(period.start, period.end)}
    return tuple(
        VersionApplied(version.name, version.effective_from, *spans.get(index, (None, None)), judged[index],
                       targets_of(version.policy))
        for index, version in enumerate(history.versions) if index in spans or judged[index])
