"""Which outcomes of one tracker step are a lead cycle's first of their family.

Counters must count each lead cycle once: handed off once, decided once (met or
breached), contacted once, depth-breached once. An announced outcome can change
later, when data arrives late: the tracker then withdraws it with ``corrected`` and,
in the same step, announces what holds now (see models.lead_state.advance). So a
fresh outcome whose family member for the same cycle is withdrawn in the same step
is a *revision*, not a first, and is not counted again.

The first decision stands in the decided counter (``names.DECIDED``); a decision later
withdrawn for a different one (a breach withdrawn because a call stamped before the
deadline arrived late) is counted in ``names.WITHDRAWN`` instead.
Compliance by event time, exactly, comes from the audit replay, not from counters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from models.outcomes import Outcome, withdrawn_kind

FAMILIES: dict[str, frozenset[str]] = {
    "handed_off": frozenset({"opened"}),
    "decided": frozenset({"met", "breached"}),
    "contacted": frozenset({"met", "contacted_late"}),
    "depth": frozenset({"depth_breached"}),
}

CycleKey = tuple[str, int]


@dataclass
class StepFirsts:
    """Per family: the step's first outcomes; per decided cycle revised: the withdrawn verdict."""

    firsts: dict[str, list[Outcome]] = field(default_factory=lambda: {name: [] for name in FAMILIES})
    withdrawn_decisions: list[Outcome] = field(default_factory=list)  # the `corrected` outcomes, old team/segment


def step_firsts(outcomes: Iterable[Outcome]) -> StepFirsts:
    outcomes = list(outcomes)
    withdrawn = {(o.lead_id, o.cycle, withdrawn_kind(o)): o for o in outcomes if o.kind == "corrected"}
    result = StepFirsts()
    for name, kinds in FAMILIES.items():
        revised = {(lead, cycle) for lead, cycle, kind in withdrawn if kind in kinds}
        result.firsts[name] = [o for o in outcomes if o.kind in kinds and (o.lead_id, o.cycle) not in revised]
    fresh = {(o.lead_id, o.cycle, o.kind) for o in outcomes if o.kind in FAMILIES["decided"]}
    for (lead, cycle, kind), correction in withdrawn.items():
        if kind in FAMILIES["decided"] and (lead, cycle, kind) not in fresh:
            result.withdrawn_decisions.append(correction)
    return result
