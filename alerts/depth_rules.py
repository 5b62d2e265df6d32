"""The follow-up depth compliance rule, generated from the policy. Pure.

Per team and segment with a follow-up target: of the lead cycles whose follow-up period
ended within the last period length (names.FOLLOW_UP_ENDED, a gauge the
worker recomputes from its lead-state table), the share that ended breached — fewer
attempts than the target and no connect — must stay within ``1 - follow_up.compliance_target``.
A ticket, not a page (depth is coaching, not an emergency), and only with at least
``alerts.compliance_min_leads`` periods ended. As with speed, the ratio is breached over
all, so a team that met nothing still has a ratio.
"""

from __future__ import annotations

from models.policy import Policy, Segment
from streams.metrics import names

DEPTH_FOR = "30m"
ENDED = names.FOLLOW_UP_ENDED.name
RATIO = names.DEPTH_BREACHED_RATIO_RULE


def depth_group(policy: Policy) -> dict:
    record = {"record": RATIO, "expr": f'sum by (team, segment) ({ENDED}{{result="breached"}})\n'
                                      f"/\nsum by (team, segment) ({ENDED})"}
    alerts = [_depth_alert(policy, s) for s in policy.segments if s.follow_up is not None]
    return {"name": "leadsla-follow-up-depth", "rules": [record] + alerts}


def _depth_alert(policy: Policy, segment: Segment) -> dict:
    target = segment.follow_up.compliance_target
    match = f'{{segment="{segment.name}"}}'
    return {
        "alert": "LeadDepthComplianceLow",
        "expr": (f"{RATIO}{match} > {round(1 - target, 6)}\n"
                 f"and on (team, segment)\n"
                 f"sum by (team, segment) ({ENDED}{match}) >= {policy.alerts.compliance_min_leads}"),
        "for": DEPTH_FOR,
        "labels": {"severity": "ticket", "escalation": "0", "segment": segment.name},
        "annotations": {
            "summary": (f"Team {{{{ $labels.team }}}} fell short of the follow-up target ({segment.follow_up.attempts}"
                        f" attempts or a connect within the period) on {{{{ $value | humanizePercentage }}}} of its"
                        f" {segment.name} leads whose period ended lately; the agreement is at least {target:.0%}."),
            "target": f"{target:g}",
        },
    }
