"""What-if: the same period under another policy, side by side with the policy in force.

Both reports come from the same events through the same core; this puts their compliance
next to each other (overall, per team, per segment, and follow-up depth) and lists the lead
cycles whose verdict differs: met under one and breached under the other, or decided in the
period under one only (``undecided``: its deadline falls outside the period, or it was
returned first).

Pure: two reports and their decisions in, the comparison out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.outcomes import Outcome
from models.report import Report, SegmentTargets
from models.report_figures import DepthFigures, SpeedFigures

UNDECIDED = "undecided"
Verdicts = dict[tuple[str, int], Outcome]


@dataclass(frozen=True)
class VerdictChange:
    lead_id: str
    cycle: int
    team: str
    owner_rep: str
    segment: str  # under the policy in force (else the what-if's)
    in_force: str  # met, breached or undecided
    what_if: str
    deadline_in_force: datetime | None
    deadline_what_if: datetime | None


@dataclass(frozen=True)
class WhatIf:
    policy: str  # where the what-if policy came from
    targets: dict[str, SegmentTargets]  # the what-if policy's
    total: tuple[SpeedFigures, SpeedFigures]  # (in force, what-if)
    by_team: dict[str, tuple[SpeedFigures, SpeedFigures]]
    by_segment: dict[str, tuple[SpeedFigures, SpeedFigures]]
    depth: tuple[DepthFigures, DepthFigures]
    changes: list[VerdictChange]


def compare(policy: str, in_force: Report, what_if: Report, verdicts: Verdicts, what_if_verdicts: Verdicts) -> WhatIf:
    return WhatIf(
        policy=policy, targets=what_if.targets, total=(in_force.total, what_if.total),
        by_team=_side_by_side(in_force.by_team, what_if.by_team),
        by_segment=_side_by_side(in_force.by_segment, what_if.by_segment),
        depth=(in_force.depth_total, what_if.depth_total),
        changes=verdict_changes(verdicts, what_if_verdicts),
    )


def verdict_changes(verdicts: Verdicts, what_if_verdicts: Verdicts) -> list[VerdictChange]:
    changes = []
    for key in sorted(set(verdicts) | set(what_if_verdicts)):
        mine, theirs = verdicts.get(key), what_if_verdicts.get(key)
        if mine is not None and theirs is not None and mine.kind == theirs.kind:
            continue
        known = mine or theirs
        changes.append(VerdictChange(
            known.lead_id, known.cycle, known.team, known.owner_rep, known.segment,
            mine.kind if mine else UNDECIDED, theirs.kind if theirs else UNDECIDED,
            mine.deadline_at if mine else None, theirs.deadline_at if theirs else None))
    return changes


def _side_by_side(mine: dict, theirs: dict) -> dict:
    return {key: (mine.get(key, SpeedFigures()), theirs.get(key, SpeedFigures()))
            for key in sorted(set(mine) | set(theirs))}
