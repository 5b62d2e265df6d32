"""The marketing waterfall as an inline SVG chart, as the method draws it: for one goal group
and month, the cumulative actual (a bar per day, through the period's last day) against the
cumulative goal line g/n per day (dashed, over the whole month), in the group's mode (leads,
or value for a group followed in value).

Each bar and goal point carries its figure in ``data-`` attributes and a ``<title>``.
"""

from __future__ import annotations

import calendar
import math
from html import escape

from models.report_marketing import GroupMonth
from streams.reports.section_tables import amount
from streams.reports.svg_charts import BOTTOM, HEIGHT, LEFT, RIGHT, TARGET_COLOUR, TOP, WIDTH, _frame, _legend, _svg

ACTUAL_COLOUR = "#2ca02c"


def waterfall_chart(group: GroupMonth) -> str:
    value = group.in_value
    actuals = [(d.day.day, d.value if value else d.leads) for d in group.days]
    month_goal = group.month_goal_value if value else group.month_goal_leads
    days_in = calendar.monthrange(group.through.year, group.through.month)[1]
    goals = [] if month_goal is None else [(n, month_goal * n / days_in) for n in range(1, days_in + 1)]
    top = _nice(max([v for _, v in actuals] + [g for _, g in goals] + [1]))
    x = lambda n: LEFT + (WIDTH - LEFT - RIGHT) * (n - 0.5) / days_in  # noqa: E731
    y = lambda v: TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / top)  # noqa: E731
    unit = "value" if value else "leads"
    title = f"Marketing waterfall, {group.group}, {group.month}: cumulative {unit} against the goal line"
    parts = [_frame(title, top, y, amount)]
    parts += _bars(group, actuals, x, y, unit)
    parts += _goal_line(group, goals, x, y, unit)
    parts += [f'<text x="{x(n):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{n}</text>'
              for n in range(1, days_in + 1) if n == 1 or n % 5 == 0]
    if not goals:
        parts.append(f'<text x="{LEFT + 10}" y="{TOP + 16}">goal unknown: the closed loop has no won deal '
                     'in its window</text>')
    parts.append(_legend([(f"actual {unit}", ACTUAL_COLOUR, False), ("goal line", TARGET_COLOUR, True)]))
    return _svg("waterfall", parts, f'data-group="{escape(group.group)}" data-month="{group.month}" '
                                    f'data-unit="{unit}"')


def _bars(group: GroupMonth, actuals: list[tuple[int, float]], x, y, unit: str) -> list[str]:
    width = max(2.0, (x(2) - x(1)) * 0.7)
    bars = []
    for n, actual in actuals:
        bars.append(f'<rect class="actual" data-group="{escape(group.group)}" data-day="{group.month}-{n:02d}" '
                    f'data-cumulative="{actual:.10g}" '
                    f'x="{x(n) - width / 2:.1f}" y="{y(actual):.1f}" width="{width:.1f}" '
                    f'height="{y(0) - y(actual):.1f}" fill="{ACTUAL_COLOUR}">'
                    f'<title>{group.month}-{n:02d}: {amount(actual)} {unit} to date</title></rect>')
    return bars


def _goal_line(group: GroupMonth, goals: list[tuple[int, float]], x, y, unit: str) -> list[str]:
    if not goals:
        return []
    path = " ".join(f"{x(n):.1f},{y(g):.1f}" for n, g in goals)
    out = [f'<polyline class="goal" points="{path}" fill="none" stroke="{TARGET_COLOUR}" stroke-width="2" '
           f'stroke-dasharray="6 4"/>']
    out += [f'<circle class="goal" data-group="{escape(group.group)}" data-day="{group.month}-{n:02d}" '
            f'data-goal="{g:.10g}" cx="{x(n):.1f}" '
            f'cy="{y(g):.1f}" r="2" fill="{TARGET_COLOUR}"><title>{group.month}-{n:02d}: goal {amount(g)} {unit} '
            f'to date</title></circle>' for n, g in goals]
    return out


def _nice(value: float) -> float:
    """A round axis maximum a little above ``value``: 1, 2, 4, 5 or 10 times a power of ten."""
    magnitude = 10 ** math.floor(math.log10(value))
    return next(magnitude * step for step in (1, 2, 4, 5, 10) if value * 1.05 <= magnitude * step)
