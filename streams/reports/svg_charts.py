"""Inline SVG charts for the HTML report, drawn as the method draws them: speed against the
target per day (median and p90 lines, the target as a dashed line) and depth against the
target (average attempts per team as bars, the target as a mark).

Plain SVG text, no script and no network. Each point and bar carries its figure in
``data-`` attributes and a ``<title>``, so a reader hovering it, and a test reading the
page, see the number drawn.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from html import escape

from models.report import Report
from models.report_figures import DepthFigures, SpeedFigures
from streams.reports.formatting import duration

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 34, 40
SERIES = (("median", "#1f77b4", "median"), ("p90", "#ff7f0e", "p90"))
TARGET_COLOUR = "#d62728"


def speed_chart(report: Report, segment: str) -> str:
    """Median and p90 of speed-to-lead per day, on the segment's clock, against its target."""
    days = _days(report.period.first_day, report.period.last_day)
    figures: dict[date, SpeedFigures] = report.by_segment_day.get(segment, {})
    target = report.targets[segment].target_seconds if segment in report.targets else None
    values = [f.business.p90 for f in figures.values() if f.business.p90 is not None]
    top = _nice_top(max([*values, target or 0, 1]))
    x = lambda i: LEFT + (WIDTH - LEFT - RIGHT) * (i + 0.5) / len(days)  # noqa: E731
    y = lambda seconds: TOP + (HEIGHT - TOP - BOTTOM) * (1 - seconds / top)  # noqa: E731
    parts = [_frame(f"Speed to lead, {segment}: per day against the target", top, y, duration)]
    parts += _day_labels(days, x)
    if target is not None:
        parts.append(f'<line class="target" data-target-seconds="{target:g}" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
                     f'y1="{y(target):.1f}" y2="{y(target):.1f}" stroke="{TARGET_COLOUR}" stroke-width="2" '
                     f'stroke-dasharray="6 4"><title>target {duration(target)}</title></line>')
    for name, colour, _ in SERIES:
        points = [(i, getattr(figures[d].business, name)) for i, d in enumerate(days)
                  if d in figures and getattr(figures[d].business, name) is not None]
        parts += _series(name, colour, points, days, x, y)
    parts.append(_legend([(label, colour, False) for _, colour, label in SERIES] + [("target", TARGET_COLOUR, True)]))
    return _svg("speed", parts, f'data-segment="{escape(segment)}"')


def depth_chart(report: Report) -> str:
    """Average attempts on leads whose follow-up period ended short, per team, against the target."""
    teams = [(team, f) for team, f in report.depth_by_team.items() if f.average_attempts is not None]
    top = math.ceil(max([v for _, f in teams for v in (f.average_attempts, f.average_target)] + [1])) + 1
    band = (HEIGHT - TOP - BOTTOM) / max(1, len(teams))
    x = lambda attempts: LEFT + 60 + (WIDTH - LEFT - 60 - RIGHT) * attempts / top  # noqa: E731
    parts = [f'<text x="{LEFT}" y="18" class="chart-title">Follow-up depth: average attempts on unconnected '
             f'leads per team against the target</text>']
    for i, (team, figures) in enumerate(teams):
        parts += _depth_bar(team, figures, TOP + i * band, band, x)
    if not teams:
        parts.append(f'<text x="{LEFT}" y="{HEIGHT / 2}">no follow-up period ended short of its target</text>')
    parts.append(_legend([("average attempts", "#1f77b4", False), ("target", TARGET_COLOUR, True)]))
    return _svg("depth", parts)


def _depth_bar(team: str, figures: DepthFigures, top: float, band: float, x) -> list[str]:
    middle, height = top + band / 2, min(28.0, band * 0.6)
    attempts, target = figures.average_attempts, figures.average_target
    return [
        f'<text x="{LEFT + 55}" y="{middle + 4:.1f}" text-anchor="end">{escape(team)}</text>',
        f'<rect class="attempts" data-team="{escape(team)}" data-attempts="{attempts:g}" x="{x(0):.1f}" '
        f'y="{middle - height / 2:.1f}" width="{x(attempts) - x(0):.1f}" height="{height:.1f}" fill="#1f77b4">'
        f'<title>{escape(team)}: {attempts:.1f} attempts on average, target {target:.1f}</title></rect>',
        f'<line class="target" data-team="{escape(team)}" data-target="{target:g}" x1="{x(target):.1f}" '
        f'x2="{x(target):.1f}" y1="{middle - height / 2 - 4:.1f}" y2="{middle + height / 2 + 4:.1f}" '
        f'stroke="{TARGET_COLOUR}" stroke-width="3" stroke-dasharray="4 2"/>',
        f'<text x="{x(attempts) + 6:.1f}" y="{middle + 4:.1f}">{attempts:.1f} of {target:.1f}</text>',
    ]


def _series(name: str, colour: str, points: list[tuple[int, float]], days: list[date], x, y) -> list[str]:
    if not points:
        return []
    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
    out = [f'<polyline class="{name}" points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>']
    out += [f'<circle data-series="{name}" data-day="{days[i].isoformat()}" data-seconds="{v:g}" cx="{x(i):.1f}" '
            f'cy="{y(v):.1f}" r="3.5" fill="{colour}"><title>{days[i]}: {name} {duration(v)}</title></circle>'
            for i, v in points]
    return out


def _frame(title: str, top: float, y, label) -> str:
    ticks = [top * k / 4 for k in range(5)]
    lines = [f'<text x="{LEFT}" y="18" class="chart-title">{escape(title)}</text>']
    for value in ticks:
        lines.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                     f'stroke="#ddd"/><text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">'
                     f'{label(value)}</text>')
    return "".join(lines)


def _day_labels(days: list[date], x) -> list[str]:
    every = max(1, len(days) // 12)
    return [f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{d:%d %b}</text>'
            for i, d in enumerate(days) if i % every == 0]


def _legend(entries: list[tuple[str, str, bool]]) -> str:
    out, left = [], LEFT
    for label, colour, dashed in entries:
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        out.append(f'<line x1="{left}" x2="{left + 22}" y1="{HEIGHT - 10}" y2="{HEIGHT - 10}" stroke="{colour}" '
                   f'stroke-width="3"{dash}/><text x="{left + 28}" y="{HEIGHT - 6}">{escape(label)}</text>')
        left += 40 + 8 * len(label)
    return "".join(out)


def _svg(kind: str, parts: list[str], attributes: str = "") -> str:
    return (f'<svg class="chart {kind}" {attributes} xmlns="http://www.w3.org/2000/svg" role="img" '
            f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}">{"".join(parts)}</svg>')


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _nice_top(value: float) -> float:
    """A round axis maximum a little above ``value``."""
    for step in (60, 300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800):
        if value * 1.1 <= step * 4:
            return step * 4
    return value * 1.1
