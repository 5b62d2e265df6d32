"""The report as JSON with stable keys (documented in the README, "Reports"), for other tools.

Durations are seconds, shares 0 to 1, times ISO 8601 in UTC, and a figure with nothing
to measure (a median of no contacts) is null. Lists are sorted by their key columns.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

from models.report import Breach, Correction, Report
from models.report_figures import DepthFigures, SpeedFigures
from streams.reports.json_sections import agreement_json, bandwidth_json, marketing_json, versions_json, what_if_json

SCHEMA_VERSION = 1


def report_json(report: Report) -> dict:
    period = report.period
    return {
        "schema_version": SCHEMA_VERSION,
        "period": {"from": period.first_day.isoformat(), "to": period.last_day.isoformat(),
                   "time_zone": period.zone, "start": _time(period.start), "end": _time(period.end)},
        "targets": [{"segment": name, **vars(targets)} for name, targets in report.targets.items()],
        "agreement": agreement_json(report.agreement),
        "total": speed_json(report.total),
        "days": [{"day": day.isoformat(), **speed_json(f)} for day, f in report.by_day.items()],
        "weeks": [{"week": week, **speed_json(f)} for week, f in report.by_week.items()],
        "teams": [{"team": team, **speed_json(f)} for team, f in report.by_team.items()],
        "segments": [{"segment": segment, **speed_json(f)} for segment, f in report.by_segment.items()],
        "reps": [{"team": team, "rep": rep, **speed_json(f)} for (team, rep), f in report.by_rep.items()],
        "segment_days": [{"segment": segment, "day": day.isoformat(), **speed_json(f)}
                         for segment, days in report.by_segment_day.items() for day, f in days.items()],
        "breaches": [breach_json(b) for b in report.breaches],
        "depth": {
            "total": depth_json(report.depth_total),
            "teams": [{"team": team, **depth_json(f)} for team, f in report.depth_by_team.items()],
            "segments": [{"segment": s, **depth_json(f)} for s, f in report.depth_by_segment.items()],
            "reps": [{"team": team, "rep": rep, **depth_json(f)} for (team, rep), f in report.depth_by_rep.items()],
        },
        "data_quality": {
            "corrections": [correction_json(c) for c in report.corrections],
            "rejected_by_code": report.rejected_by_code,
            "rejected": [{"where": where, "reason": reason} for where, reason in report.rejected],
        },
        "marketing": marketing_json(report.marketing),
        "bandwidth": bandwidth_json(report.bandwidth),
        "policy_versions": versions_json(report.versions),
        "what_if": what_if_json(report.what_if, speed_json, depth_json),
    }


def report_text(report: Report) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"


def speed_json(figures: SpeedFigures) -> dict:
    return {
        "leads_decided": figures.leads_decided, "met": figures.met, "breached": figures.breached,
        "share_within_target": figures.share_within_target, "contacted": figures.contacted,
        "average_speed_seconds": figures.wall.average, "median_speed_seconds": figures.wall.median,
        "p90_speed_seconds": figures.wall.p90, "average_business_seconds": figures.business.average,
        "median_business_seconds": figures.business.median, "p90_business_seconds": figures.business.p90,
    }


def depth_json(figures: DepthFigures) -> dict:
    return {"periods_ended": figures.periods_ended, "depth_breached": figures.depth_breached,
            "share_within_target": figures.share_within_target, "average_attempts": figures.average_attempts,
            "target_attempts": figures.average_target}


def breach_json(breach: Breach) -> dict:
    return {"lead_id": breach.lead_id, "cycle": breach.cycle, "team": breach.team, "owner_rep": breach.owner_rep,
            "segment": breach.segment, "handoff_at": _time(breach.handoff_at),
            "deadline_at": _time(breach.deadline_at), "contact_at": _time(breach.contact_at),
            "late_by_seconds": breach.late_by_seconds, "escalation_level": breach.escalation_level}


def correction_json(correction: Correction) -> dict:
    return {"lead_id": correction.lead_id, "cycle": correction.cycle, "at": _time(correction.at),
            "team": correction.team, "withdrawn": correction.withdrawn, "withdrawn_kind": correction.withdrawn_kind}


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
