"""Prometheus alerting rules generated from the policy file (Sloth/Pyrra style). Pure.

Per-lead alerts never pass through Prometheus (lead ids must not become metric
labels); these rules watch the aggregates instead:

- speed-to-lead compliance of each segment below its ``compliance_target`` over
  ``alerts.compliance_window``, per team: a ticket, not a page, and only once
  enough leads were decided to mean something;
- follow-up depth compliance of each segment below its ``follow_up.compliance_target``
  (alerts.depth_rules);
- the marketing goal per goal group, its goal line, and a warning when a group falls
  behind it (alerts.marketing_rules);
- the pipeline stalled: the watermark or the ticks stopped advancing (then no
  per-lead alert can fire, so this pages the operations team);
- dead letters arriving (a producer sends records the pipeline rejects);
- alert delivery to an Alertmanager failing;
- a worker without its Kafka broker for a minute (it reads nothing and its outcomes wait).

Compliance is computed as 1 - breached/decided, not met/decided: a team that met
no lead at all has no ``result="met"`` series, and a ratio over a missing series
is missing, which would hide exactly the worst case.
"""

from __future__ import annotations

from datetime import timedelta

from models.durations import format_duration
from models.policy import Policy, Segment
from alerts.depth_rules import depth_group
from alerts.marketing_rules import marketing_group
from streams.metrics import names

DECIDED = names.DECIDED.name
COMPLIANCE_FOR = "15m"
STALLED_AFTER = timedelta(minutes=3)  # beyond the allowed lateness, which is the normal watermark lag
TICKS_WINDOW = "2m"
DEAD_LETTER_WINDOW = "10m"
DELIVERY_WINDOW = "5m"
BROKER_AWAY_S = 60  # a broker that blinks is ridden out; one away for a minute holds every alert back


def rule_file(policy: Policy) -> dict:
    return {"groups": [_compliance_group(policy), depth_group(policy), marketing_group(policy),
                       _pipeline_group(policy)]}


def window_name(policy: Policy) -> str:
    return format_duration(policy.alerts.compliance_window)


def _compliance_group(policy: Policy) -> dict:
    window = window_name(policy)
    decided = names.decided_increase_rule(window)
    ratio = names.breached_ratio_rule(window)
    records = [
        {"record": decided, "expr": f"sum by (team, segment, result) (increase({DECIDED}[{window}]))"},
        {"record": ratio, "expr": f'sum by (team, segment) ({decided}{{result="breached"}})\n'
                                  f"/\nsum by (team, segment) ({decided})"},
    ]
    alerts = [_compliance_alert(policy, segment, decided, ratio, window) for segment in policy.segments]
    return {"name": "leadsla-speed-to-lead-compliance", "rules": records + alerts}


def _compliance_alert(policy: Policy, segment: Segment, decided: str, ratio: str, window: str) -> dict:
    target = segment.speed_to_lead.compliance_target
    allowed = round(1 - target, 6)
    match = f'{{segment="{segment.name}"}}'
    return {
        "alert": "LeadSLAComplianceLow",
        "expr": (f"{ratio}{match} > {allowed}\n"
                 f"and on (team, segment)\n"
                 f"sum by (team, segment) ({decided}{match}) >= {policy.alerts.compliance_min_leads}"),
        "for": COMPLIANCE_FOR,
        # The series carry the segment already; the label keeps the rules distinct for promtool.
        "labels": {"severity": "ticket", "escalation": "0", "segment": segment.name},
        "annotations": {
            "summary": (f"Team {{{{ $labels.team }}}} breached the speed-to-lead SLA on {{{{ $value | humanizePercentage }}}}"
                        f" of its {segment.name} leads over the last {window}; the agreement is at least"
                        f" {target:.0%} in time."),
            "target": f"{target:g}",
            "window": window,
        },
    }


def _pipeline_group(policy: Policy) -> dict:
    team = policy.alerts.operations_team
    stalled = format_duration(policy.allowed_lateness + STALLED_AFTER)
    seconds = int((policy.allowed_lateness + STALLED_AFTER).total_seconds())
    rules = [
        _ops_alert("LeadSLAWatermarkStalled", f"time() - min({names.WATERMARK.name}) > {seconds}", "2m",
                   "page", team, f"The event-time watermark of a partition is more than {stalled} behind: "
                   "deadlines are not being decided, so no lead alert can fire."),
        _ops_alert("LeadSLATicksStopped", f"sum(increase({names.TICKS.name}[{TICKS_WINDOW}])) == 0", "1m",
                   "page", team, f"No tick was written for {TICKS_WINDOW}: time stands still in the pipeline "
                   "(a worker is stuck, or it cannot catch up with its inputs)."),
        _ops_alert("LeadSLADeadLetters",
                   f"sum by (reason) (increase({names.DEAD_LETTERS.name}[{DEAD_LETTER_WINDOW}])) > 0", "0s",
                   "ticket", team, "{{ $value | humanize }} input records were rejected to the dead-letter topic "
                   f"in {DEAD_LETTER_WINDOW} (reason {{{{ $labels.reason }}}}): a producer sends data leadsla "
                   "cannot use."),
        _ops_alert("LeadSLAAlertDeliveryFailing", _delivery_failing(), "2m", "page", team,
                   "Alerts cannot be delivered to Alertmanager {{ $labels.alertmanager }}: every post failed for "
                   f"{DELIVERY_WINDOW}. Lead pages routed through it are not reaching anyone."),
        _ops_alert("LeadSLABrokerUnreachable", f"max by (instance) ({names.BROKER_UNREACHABLE.name}) > {BROKER_AWAY_S}",
                   "0s", "page", team, "Worker {{ $labels.instance }} has had no answer from its Kafka broker for "
                   "{{ $value | humanizeDuration }}: it reads no input and its outcomes wait, so no lead alert "
                   "can fire."),
    ]
    return {"name": "leadsla-pipeline", "rules": rules}


def _delivery_failing() -> str:
    metric = names.ALERT_DELIVERIES.name
    return (f'sum by (alertmanager) (increase({metric}{{result="error"}}[{DELIVERY_WINDOW}])) > 0\n'
            f'unless on (alertmanager)\n'
            f'sum by (alertmanager) (increase({metric}{{result="ok"}}[{DELIVERY_WINDOW}])) > 0')


def _ops_alert(name: str, expr: str, for_: str, severity: str, team: str, summary: str) -> dict:
    rule = {"alert": name, "expr": expr}
    if for_ != "0s":
        rule["for"] = for_
    rule["labels"] = {"severity": severity, "team": team, "escalation": "0"}
    rule["annotations"] = {"summary": summary}
    return rule
