"""What a per-lead alert says: labels a routing tree can use, annotations for people.

Labels identify the alert (Alertmanager deduplicates and groups on them), so
they hold only what routing needs and what names the lead: alertname, team,
segment, severity, escalation level, who is notified, lead id, handoff cycle
and owner. Times and prose go in annotations. Pure: times are read from the
outcome, never from a clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo
from urllib.parse import quote
from zoneinfo import ZoneInfo

from models.durations import format_duration
from models.outcomes import Outcome
from models.policy import Policy

# Outcome kind -> (alertname, severity). Only these outcomes raise an alert.
ALERTING_KINDS = {
    "warning": ("LeadSLAWarning", "warning"),
    "breached": ("LeadSLABreached", "page"),
    "escalated": ("LeadSLAEscalated", "page"),
    # Low severity, grouped per rep by the routing tree: a coaching matter, not an emergency.
    "depth_breached": ("LeadDepthBreached", "ticket"),
}
# Alerts about a fact no later outcome undoes (alerts.lifecycle gives them an end time).
NOTICE_KINDS = frozenset({"depth_breached"})
LEAD_ALERTNAMES = tuple(name for name, _ in ALERTING_KINDS.values())
# The breach pages the lead's owner; escalation level n pages the policy's notify.
OWNER = "rep"


def labels_for(outcome: Outcome) -> dict[str, str]:
    alertname, severity = ALERTING_KINDS[outcome.kind]
    escalated = outcome.kind == "escalated"
    return {
        "alertname": alertname,
        "team": outcome.team,
        "segment": outcome.segment,
        "severity": severity,
        "escalation": str(outcome.level or 1) if escalated else "0",
        "notify": (outcome.notify or OWNER) if escalated else OWNER,
        "lead_id": outcome.lead_id,
        "cycle": str(outcome.cycle),
        "owner_rep": outcome.owner_rep,
    }


def annotations_for(outcome: Outcome, policy: Policy) -> dict[str, str]:
    zone = _zone_of(outcome, policy)
    summary = _depth_summary(outcome, policy, zone) if outcome.kind == "depth_breached" else _summary(outcome, zone)
    return {
        "summary": summary,
        "handoff_at": _iso(outcome.handoff_at),
        "deadline_at": _iso(outcome.deadline_at),
        "waited": _waited(outcome),
        "lead_url": lead_url(outcome, policy),
    }


def lead_url(outcome: Outcome, policy: Policy) -> str:
    """The template with each field percent-encoded: ids come from the CRM's producers, and a
    lead id holding '/', '?', '#' or '&' must still link to that lead, not somewhere else."""
    fields = dict(lead_id=outcome.lead_id, cycle=outcome.cycle, team=outcome.team,
                  owner_rep=outcome.owner_rep, segment=outcome.segment)
    encoded = {name: quote(str(value), safe="") for name, value in fields.items()}
    return policy.alerts.lead_url_template.format_map(encoded)  # fields checked when the policy was parsed


def _summary(outcome: Outcome, zone: tzinfo) -> str:
    lead = f"Lead {outcome.lead_id} ({outcome.segment}, team {outcome.team}, owner {outcome.owner_rep})"
    deadline = _local(outcome.deadline_at, zone)
    if outcome.kind == "warning":
        left = format_duration(_whole_seconds(outcome.deadline_at - outcome.at))
        return f"{lead} has no first contact yet: the SLA deadline is {deadline} ({left} from now)."
    if outcome.kind == "breached":
        return f"{lead} breached its speed-to-lead SLA: no first contact by {deadline}."
    return (f"{lead} still has no first contact {format_duration(_whole_seconds(outcome.at - outcome.deadline_at))}"
            f" after its deadline ({deadline}): escalated to {outcome.notify or 'the next level'}"
            f" (level {outcome.level or 1}).")


def _depth_summary(outcome: Outcome, policy: Policy, zone: tzinfo) -> str:
    segment = next((s for s in policy.segments if s.name == outcome.segment), None)
    target = f" of the {segment.follow_up.attempts} agreed" if segment and segment.follow_up else ""
    return (f"Lead {outcome.lead_id} ({outcome.segment}, team {outcome.team}, owner {outcome.owner_rep}) got"
            f" {outcome.attempts or 0}{target} follow-up attempts in its follow-up period, which ended"
            f" {_local(outcome.at, zone)} with no connect.")


def _waited(outcome: Outcome) -> str:
    """How long the lead had waited when the alert fired; business time when the SLA counts it."""
    wall = format_duration(timedelta(seconds=round(outcome.wall_seconds or 0)))
    if outcome.clock != "business" or outcome.business_seconds is None:
        return wall
    business = format_duration(timedelta(seconds=round(outcome.business_seconds)))
    return business if business == wall else f"{business} in business hours ({wall} on the wall clock)"


def _zone_of(outcome: Outcome, policy: Policy) -> tzinfo:
    """The team's calendar time zone: the people reading the alert live there."""
    segment = next((s for s in policy.segments if s.name == outcome.segment), None)
    if segment is None:  # the policy changed since the outcome was decided
        return timezone.utc
    return ZoneInfo(policy.calendar_for(segment, outcome.team).timezone)


def _local(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M %Z")


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _whole_seconds(span: timedelta) -> timedelta:
    return timedelta(seconds=round(span.total_seconds()))
