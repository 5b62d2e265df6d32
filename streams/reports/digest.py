"""The daily digest: one day's report in a few lines that both teams read each morning
(marketing's pace against its goal, speed and depth compliance, the worst breaches per team),
as Markdown (what Slack-compatible webhooks show) or as a small self-contained HTML page, and
the JSON a webhook takes.

Both renderings come from one list of ``Line``s, so they always say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from models.report import Breach, Report
from models.report_figures import DepthFigures, SpeedFigures
from models.report_marketing import GroupMonth
from models.sales_cycle import AUTO
from streams.reports.formatting import duration, share
from streams.reports.section_tables import amount

WORST_BREACHES = 3


@dataclass(frozen=True)
class Line:
    kind: str  # title, figure (a bold label and its text), gap, item (a list entry)
    text: str
    label: str = ""  # a figure's label; the title's time zone


def digest_lines(report: Report) -> list[Line]:
    day = report.period.first_day
    lines = [Line("title", f"Lead SLA digest for {day:%a %Y-%m-%d}", report.period.zone), Line("gap", "")]
    lines += [Line("figure", text, "Marketing") for text in _marketing(report)]
    lines += [Line("figure", _speed(report.total), "Sales speed"),
              Line("figure", _depth(report.depth_total), "Sales depth")]
    for team in sorted(set(report.by_team) | set(report.depth_by_team)):
        lines += [Line("gap", ""), Line("figure", f"speed {_speed(report.by_team.get(team, SpeedFigures()))}; "
                                                  f"depth {_depth(report.depth_by_team.get(team, DepthFigures()))}",
                                        team)]
        lines += [Line("item", _breach(b)) for b in worst_breaches(report, team)]
    if report.rejected:
        codes = ", ".join(f"{code} {n}" for code, n in report.rejected_by_code.items())
        lines += [Line("gap", ""), Line("figure", f"{len(report.rejected)} records rejected ({codes})", "Data quality")]
    return lines


def digest_markdown(report: Report) -> str:
    rendered = {"title": lambda l: f"*{l.text}* ({l.label})",
                "figure": lambda l: f"*{l.label}*: {l.text}", "gap": lambda l: "", "item": lambda l: f"- {l.text}"}
    return "\n".join(rendered[line.kind](line) for line in digest_lines(report)) + "\n"


def digest_html(report: Report) -> str:
    body, items = [], []
    for line in digest_lines(report):
        if line.kind == "item":
            items.append(f"<li>{escape(line.text)}</li>")
            continue
        if items:
            body.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if line.kind == "title":
            body.append(f"<h1>{escape(line.text)} ({escape(line.label)})</h1>")
        elif line.kind == "figure":
            body.append(f'<p class="figure"><b>{escape(line.label)}</b>: {escape(line.text)}</p>')
    if items:
        body.append(f"<ul>{''.join(items)}</ul>")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>Lead SLA digest {report.period.first_day}</title><style>"
            'body { font: 14px/1.45 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 24px; max-width: 800px; }'
            " h1 { font-size: 18px; } p.figure { margin: 4px 0; } ul { margin: 2px 0 10px; }"
            "</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n")


def digest_payload(text: str, html: str | None = None) -> dict:
    """``{"text": ...}``, what Slack's incoming webhooks (and most chat webhooks) take; with the
    HTML page too for a generic webhook (a mail relay, an intranet) that shows it."""
    return {"text": text} if html is None else {"text": text, "html": html}


def worst_breaches(report: Report, team: str) -> list[Breach]:
    found = [b for b in report.breaches if b.team == team]
    return sorted(found, key=lambda b: (-b.late_by_seconds, b.lead_id))[:WORST_BREACHES]


def _marketing(report: Report) -> list[str]:
    """The month to date of each goal group whose goal is known, the total first."""
    if report.marketing is None:
        return []
    groups = sorted(report.marketing.groups, key=lambda g: (g.group != "total", g.group))
    return [_pace(g) for g in groups if (g.month_goal_value if g.in_value else g.month_goal_leads) is not None]


def _pace(group: GroupMonth) -> str:
    if group.in_value:
        return (f"{group.group} {amount(group.last.value)} of {amount(group.last.goal_value)} value due by today "
                f"({share(group.value_attainment)} of the goal line, {group.month}{_auto_cycle(group)})")
    return (f"{group.group} {group.last.leads} leads of {amount(group.last.goal_leads)} due by today "
            f"({share(group.attainment)} of the goal line, {group.month}{_auto_cycle(group)})")


def _auto_cycle(group: GroupMonth) -> str:
    """A computed sales cycle is named, so the reader knows which window the goal came from."""
    cycle = group.sales_cycle
    return f"; sales cycle {cycle.describe()}" if cycle is not None and cycle.setting == AUTO else ""


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
