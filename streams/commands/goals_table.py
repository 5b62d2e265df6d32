"""``leadsla goals --format table``: the goal report laid out for a person to read.

One line per group and the total (the inputs and the goal), then each one's months (for a
value-mode group, with what its leads were worth: each lead's own value, added up). A group
that prices its leads by type shows "by <attribute>" as its lead value. A figure the window
cannot give (a month without leads has no close rate) shows as "—".
"""

from __future__ import annotations

from models.closed_loop import MonthFigures
from models.goal_report import GoalReport, GroupGoal

UNKNOWN = "—"
SUMMARY = ("group", "inputs", "mode", "leads/mo", "customers/mo", "close rate", "deal size", "share",
           "lead value", "goal leads", "goal value")
MONTHLY = ("month", "leads", "customers", "close rate", "deal size", "share")


def goals_table(report: GoalReport) -> str:
    window = f"{report.window[0]} to {report.window[-1]}"
    lines = [f"Marketing goal for {report.month}, learned from {window} ({len(report.window)} months; "
             f"sales cycle {report.sales_cycle.describe()})", ""]
    rows = [_summary_row(goal) for goal in (*report.groups, report.total)]
    lines += _aligned([SUMMARY, *rows])
    for goal in (*report.groups, report.total):
        valued = goal.mode == "value"
        lines += ["", f"{goal.name} by month"]
        lines += _aligned([MONTHLY + (("value",) if valued else ()),
                           *(_month_row(figures) + ((_number(value),) if valued else ())
                             for figures, value in zip(goal.months, goal.values))])
    return "\n".join(lines)


def _summary_row(goal: GroupGoal) -> tuple[str, ...]:
    months = len(goal.months) or 1
    return (goal.name, goal.inputs.replace("_", " "), goal.mode,
            _number(sum(m.leads for m in goal.months) / months, 1),
            _number(sum(m.customers for m in goal.months) / months, 1),
            _percent(goal.used.close_rate), _number(goal.used.average_deal_size), _percent(goal.used.marketing_share),
            _lead_value(goal), _number(goal.goal_leads), _number(goal.goal_value))


def _lead_value(goal: GroupGoal) -> str:
    """One value, or the attribute a table prices leads by (and what a type it does not list is worth)."""
    if not goal.lead_values:
        return _number(goal.lead_value)
    priced_by = f"by {next(iter(goal.lead_values))}"
    return priced_by if goal.lead_value is None else f"{priced_by}, else {_number(goal.lead_value)}"


def _month_row(figures: MonthFigures) -> tuple[str, ...]:
    return (str(figures.month), str(figures.leads), str(figures.customers), _percent(figures.close_rate),
            _number(figures.deal_size), _percent(figures.marketing_share))


def _aligned(rows: list[tuple[str, ...]]) -> list[str]:
    """The first column left-aligned, the numbers right-aligned, two spaces apart."""
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) if column == 0 else cell.rjust(width)
                      for column, (cell, width) in enumerate(zip(row, widths))).rstrip() for row in rows]


def _number(value: float | None, decimals: int = 0) -> str:
    return UNKNOWN if value is None else f"{value:,.{decimals}f}"


def _percent(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:.1%}"
