"""The JSON of the report's sections beyond Sales: marketing (goal groups, the monthly
waterfall, attainment), the policy versions applied, and the what-if comparison. Same
conventions as streams.reports.json_report: seconds, shares 0 to 1, ISO 8601 UTC, null
for nothing to measure."""

from __future__ import annotations

from datetime import datetime, timezone

from models.report_agreement import Agreement
from models.report_bandwidth import RepBandwidth
from models.report_marketing import GroupMonth, Marketing
from models.report_versions import VersionApplied
from models.report_what_if import WhatIf


def marketing_json(marketing: Marketing | None) -> dict | None:
    if marketing is None:
        return None
    return {"months": list(marketing.months), "groups": [group_month_json(g) for g in marketing.groups]}


def group_month_json(group: GroupMonth) -> dict:
    last = group.last
    return {
        "group": group.group, "mode": group.mode, "month": group.month, "through": group.through.isoformat(),
        "month_goal_leads": group.month_goal_leads, "month_goal_value": group.month_goal_value,
        "lead_value": group.lead_value, "lead_values": group.lead_values, "leads": last.leads,
        "goal_leads_to_date": last.goal_leads,
        "attainment": group.attainment, "value": last.value, "goal_value_to_date": last.goal_value,
        "value_attainment": group.value_attainment,
        "sales_cycle_months": group.sales_cycle.months if group.sales_cycle else None,
        "sales_cycle": group.sales_cycle.as_json() if group.sales_cycle else None,
        "days": [{"day": d.day.isoformat(), "leads": d.leads, "goal_leads": d.goal_leads, "value": d.value,
                  "goal_value": d.goal_value} for d in group.days],
    }


def agreement_json(agreement: Agreement | None) -> dict | None:
    if agreement is None:
        return None
    return {
        "calendars": [{"name": c.name, "time_zone": c.time_zone, "hours": {day: list(r) for day, r in c.hours},
                       "holidays_in_period": list(c.holidays_in_period), "teams": list(c.teams)}
                      for c in agreement.calendars],
        "goal_groups": [{"group": g.group, "selects": g.selects, "mode": g.mode, "inputs": g.inputs,
                         "quota": g.quota} for g in agreement.goals],
    }


def bandwidth_json(bandwidth: tuple[RepBandwidth, ...]) -> list[dict]:
    return [{"team": b.team, "rep": b.rep, "leads_handed": b.leads_handed, "attempts": b.attempts,
             "connected": b.connected, "active_days": b.active_days, "leads_per_day": b.leads_per_day,
             "attempts_per_day": b.attempts_per_day, "attempts_per_active_day": b.attempts_per_active_day}
            for b in bandwidth]


def versions_json(versions: tuple[VersionApplied, ...]) -> list[dict]:
    return [{"name": v.name, "effective_from": v.effective_from.isoformat() if v.effective_from else None,
             "in_force_from": _time(v.in_force_from), "in_force_to": _time(v.in_force_to),
             "leads_decided": v.leads_decided,
             "targets": [{"segment": name, **vars(t)} for name, t in v.targets.items()]} for v in versions]


def what_if_json(what_if: WhatIf | None, speed_json, depth_json) -> dict | None:
    """``speed_json`` and ``depth_json``: the report's own figure encoders, so both sides read alike."""
    if what_if is None:
        return None
    pair = lambda figures: {"in_force": speed_json(figures[0]), "what_if": speed_json(figures[1])}  # noqa: E731
    return {
        "policy": what_if.policy,
        "targets": [{"segment": name, **vars(targets)} for name, targets in what_if.targets.items()],
        "total": pair(what_if.total),
        "teams": [{"team": team, **pair(f)} for team, f in what_if.by_team.items()],
        "segments": [{"segment": segment, **pair(f)} for segment, f in what_if.by_segment.items()],
        "depth": {"in_force": depth_json(what_if.depth[0]), "what_if": depth_json(what_if.depth[1])},
        "changes": [{"lead_id": c.lead_id, "cycle": c.cycle, "team": c.team, "owner_rep": c.owner_rep,
                     "segment": c.segment, "in_force": c.in_force, "what_if": c.what_if,
                     "deadline_in_force": _time(c.deadline_in_force),
                     "deadline_what_if": _time(c.deadline_what_if)} for c in what_if.changes],
    }


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")

