"""How figures read in a report: durations, shares, times, and the rows of each table.

The rows (label columns, then figures) are shared by the Markdown, CSV and HTML
renderings, so the three show the same numbers under the same headings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from models.durations import format_duration
from models.report_figures import DepthFigures, SpeedFigures

SPEED_HEADINGS = ("decided", "met", "breached", "within target", "contacted", "average", "median", "p90",
                  "median business", "p90 business")
DEPTH_HEADINGS = ("periods ended", "depth breaches", "within target", "average attempts", "target attempts")
BREACH_HEADINGS = ("lead", "cycle", "team", "rep", "segment", "handoff", "deadline", "first contact", "late by",
                   "escalation")


def duration(seconds: float | None) -> str:
    return "–" if seconds is None else format_duration(timedelta(seconds=round(seconds)))


def share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def number(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def local_time(moment: datetime | None, zone: str) -> str:
    return "–" if moment is None else moment.astimezone(ZoneInfo(zone)).strftime("%a %Y-%m-%d %H:%M %Z")


def speed_cells(figures: SpeedFigures) -> list[str]:
    return [str(figures.leads_decided), str(figures.met), str(figures.breached),
            share(figures.share_within_target), str(figures.contacted), duration(figures.wall.average),
            duration(figures.wall.median), duration(figures.wall.p90), duration(figures.business.median),
            duration(figures.business.p90)]


def depth_cells(figures: DepthFigures) -> list[str]:
    return [str(figures.periods_ended), str(figures.depth_breached), share(figures.share_within_target),
            number(figures.average_attempts), number(figures.average_target)]
