"""Bounded metric label values: a team, segment or rep the policy does not know becomes "other".

Every series costs Prometheus memory for as long as it exists, and team and segment
names arrive from producers. The policy names the teams and segments that matter; a
typo in a CRM field must not mint a new series per value. Without a policy (a bare
``PipelineMetrics()`` in a test) the first values seen are kept, up to a cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.policy import Policy

OTHER = "other"
OPEN_CAP = 50  # distinct values kept per label when no policy bounds it
REP_CAP = 200  # reps have no list in the policy; a sales floor has fewer than this


@dataclass
class BoundedLabel:
    """Maps raw values onto a bounded set: ``known`` (if given), else the first ``cap`` seen."""

    known: frozenset[str] | None = None
    cap: int = OPEN_CAP
    _seen: set[str] = field(default_factory=set)

    def __call__(self, value: str | None) -> str:
        if not value:
            return OTHER
        if self.known is not None:
            return value if value in self.known else OTHER
        if value in self._seen or len(self._seen) < self.cap:
            self._seen.add(value)
            return value
        return OTHER


@dataclass
class LabelBounds:
    team: BoundedLabel  # sales team, as named in the policy's `teams`
    segment: BoundedLabel  # the policy segment a lead falls in (e.g. enterprise-demo)
    lead_segment: BoundedLabel  # the lead's own `segment` attribute (e.g. enterprise), as marketing goals use
    rep: BoundedLabel

    @classmethod
    def of(cls, policy: Policy | None) -> "LabelBounds":
        if policy is None:
            return cls(BoundedLabel(), BoundedLabel(), BoundedLabel(), BoundedLabel(cap=REP_CAP))
        return cls(
            team=BoundedLabel(frozenset(policy.teams)),
            segment=BoundedLabel(frozenset(s.name for s in policy.segments)),
            lead_segment=BoundedLabel(lead_segments(policy)),
            rep=BoundedLabel(cap=REP_CAP),
        )


def lead_segments(policy: Policy) -> frozenset[str]:
    """Values of the lead attribute `segment` the policy mentions: in marketing goals or segment matches."""
    named = {goal.segment for goal in policy.marketing_goals}
    for segment in policy.segments:
        wanted = segment.match.get("segment")
        named.update([wanted] if isinstance(wanted, str) else (wanted or []))
    return frozenset(named)
