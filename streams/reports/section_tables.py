"""The tables of the report's sections beyond Sales, as text cells: the policy versions
applied, marketing's attainment per goal group and month, and the what-if comparison."""

from __future__ import annotations

from models.calendar import WEEKDAYS
from models.report import Report
from models.report_figures import SpeedFigures
from streams.reports.formatting import duration, local_time, number, share

AGREEMENT, MARKETING, WHAT_IF = "The agreement", "Marketing: leads against the goal", "What-if"
BANDWIDTH = "Sales: rep bandwidth"
BANDWIDTH_HEADINGS = ("team", "rep", "leads handed", "attempts", "connected", "active days", "leads a day",
                      "attempts a day", "attempts an active day")
MARKETING_HEADINGS = ("group", "month", "mode", "through", "leads", "goal to date", "attainment", "value",
                      "value goal to date", "value attainment", "month's goal (leads)", "month's goal (value)")
COMPARED_HEADINGS = ("decided", "met", "within target", "decided (what-if)", "met (what-if)",
                     "within target (what-if)", "change")


def calendar_rows(report: Report) -> list[list[str]]:
    if report.agreement is None:
        return []
    return [[c.name, c.time_zone, week_hours(c.hours), ", ".join(c.holidays_in_period) or "–",
             ", ".join(c.teams) or "–"] for c in report.agreement.calendars]


def goal_rows(report: Report) -> list[list[str]]:
    if report.agreement is None:
        return []
    return [[g.group, g.selects, g.mode, g.inputs.replace("_", " "), amount(g.quota)] for g in report.agreement.goals]


def week_hours(hours: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    """Consecutive days with the same hours together: "mon-fri 09:00-17:00"."""
    runs: list[list] = []
    for day, ranges in hours:
        if runs and runs[-1][2] == ranges and WEEKDAYS.index(day) == WEEKDAYS.index(runs[-1][1]) + 1:
            runs[-1][1] = day
        else:
            runs.append([day, day, ranges])
    return "; ".join(f"{first}{'' if first == last else '-' + last} {', '.join(ranges)}"
                     for first, last, ranges in runs)


def version_target_rows(report: Report) -> list[list[str]]:
    """Targets of the other versions applied, where they differ from the ones shown (the last day's)."""
    return [[v.name, segment, duration(t.target_seconds), t.clock, share(t.compliance_target),
             f"{t.follow_up_attempts} in {duration(t.follow_up_seconds)}" if t.follow_up_attempts else "–"]
            for v in report.versions for segment, t in v.targets.items() if report.targets.get(segment) != t]


def versions_rows(report: Report) -> list[list[str]]:
    zone = report.period.zone
    return [[v.name, str(v.effective_from or "–"),
             f"{local_time(v.in_force_from, zone)} to {local_time(v.in_force_to, zone)}" if v.in_force_from
             else "before the period", str(v.leads_decided)] for v in report.versions]


def marketing_rows(report: Report) -> list[list[str]]:
    if report.marketing is None:
        return []
    return [[g.group, g.month, g.mode, g.through.isoformat(), str(g.last.leads), amount(g.last.goal_leads),
             share(g.attainment), amount(g.last.value), amount(g.last.goal_value), share(g.value_attainment),
             amount(g.month_goal_leads), amount(g.month_goal_value)] for g in report.marketing.groups]


def compared_rows(report: Report, of: str) -> list[list[str]]:
    what_if = report.what_if
    if what_if is None:
        return []
    pairs = {"all": what_if.total} if of == "total" else getattr(what_if, f"by_{of}")
    return [[key, *_compared(mine, theirs)] for key, (mine, theirs) in pairs.items()]


def compared_depth_rows(report: Report) -> list[list[str]]:
    if report.what_if is None:
        return []
    mine, theirs = report.what_if.depth
    return [["all", str(mine.periods_ended), str(mine.depth_breached), share(mine.share_within_target),
             str(theirs.periods_ended), str(theirs.depth_breached), share(theirs.share_within_target)]]


def change_rows(report: Report) -> list[list[str]]:
    if report.what_if is None:
        return []
    zone = report.period.zone
    return [[c.lead_id, str(c.cycle), c.team, c.owner_rep, c.segment, c.in_force, c.what_if,
             local_time(c.deadline_in_force, zone), local_time(c.deadline_what_if, zone)]
            for c in report.what_if.changes]


def bandwidth_rows(report: Report) -> list[list[str]]:
    return [[b.team or "–", b.rep, str(b.leads_handed), str(b.attempts), str(b.connected), str(b.active_days),
             number(b.leads_per_day), number(b.attempts_per_day), number(b.attempts_per_active_day)]
            for b in report.bandwidth]


def _compared(mine: SpeedFigures, theirs: SpeedFigures) -> list[str]:
    change = ("–" if mine.share_within_target is None or theirs.share_within_target is None
              else f"{100 * (theirs.share_within_target - mine.share_within_target):+.1f} pts")
    return [str(mine.leads_decided), str(mine.met), share(mine.share_within_target), str(theirs.leads_decided),
            str(theirs.met), share(theirs.share_within_target), change]


def amount(value: float | None) -> str:
    """A count or a sum of money, without decimals that mean nothing."""
    if value is None:
        return "–"
    return f"{value:,.1f}" if abs(value) < 100 and value != int(value) else f"{value:,.0f}"
