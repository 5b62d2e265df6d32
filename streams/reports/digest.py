"""The daily digest: one day's report in a few lines of Markdown that both teams read each
morning (speed and depth compliance, the worst breaches per team), and the JSON a
Slack-compatible webhook takes."""

from __future__ import annotations

from models.report import Breach, Report
from models.report_figures import DepthFigures, SpeedFigures
from streams.reports.formatting import duration, share

WORST_BREACHES = 3


def digest_markdown(report: Report) -> str:
    day = report.period.first_day
    lines = [f"*Lead SLA digest for {day:%a %Y-%m-%d}* ({report.period.zone})", "",
             f"*Sales speed*: {_speed(report.total)}", f"*Sales depth*: {_depth(report.depth_total)}"]
    # Marketing's pace against its goal (issue 10) goes here, once the report carries it.
    for team in sorted(set(report.by_team) | set(report.depth_by_team)):
        lines += ["", f"*{team}*: speed {_speed(report.by_team.get(team, SpeedFigures()))}; "
                      f"depth {_depth(report.depth_by_team.get(team, DepthFigures()))}"]
        lines += [f"- {_breach(b)}" for b in worst_breaches(report, team)]
    if report.rejected:
        lines += ["", f"Data quality: {len(report.rejected)} records rejected "
                      f"({', '.join(f'{code} {n}' for code, n in report.rejected_by_code.items())})"]
    return "\n".join(lines) + "\n"


def digest_payload(text: str) -> dict:
    """What Slack's incoming webhooks (and most chat webhooks) take."""
    return {"text": text}


def worst_breaches(report: Report, team: str) -> list[Breach]:
    found = [b for b in report.breaches if b.team == team]
    return sorted(found, key=lambda b: (-b.late_by_seconds, b.lead_id))[:WORST_BREACHES]


def _speed(figures: SpeedFigures) -> str:
    if not figures.leads_decided:
        return "no lead decided"
    return (f"{figures.met} of {figures.leads_decided} leads within target ({share(figures.share_within_target)}), "
            f"median {duration(figures.wall.median)} to first contact")


def _depth(figures: DepthFigures) -> str:
    if not figures.periods_ended:
        return "no follow-up period ended"
    return (f"{figures.periods_ended - figures.depth_breached} of {figures.periods_ended} follow-up periods "
            f"within target ({share(figures.share_within_target)})")


def _breach(breach: Breach) -> str:
    late = (f"contacted {duration(breach.late_by_seconds)} late" if breach.contact_at
            else f"no contact, {duration(breach.late_by_seconds)} past the deadline by the day's end")
    return f"breached: {breach.lead_id} ({breach.owner_rep}, {breach.segment}) {late}"
