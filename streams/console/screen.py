"""One frame of the live view, drawn with rich from a Board: header, waiting leads, latest outcomes.

Pure apart from reading the board; the live view (streams.console.live_view) calls it
on every refresh.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from streams.console.board import Board, WaitingLead
from streams.console.formatting import detail, label, stamp, state_label, time_left
from streams.runtime.clock import DEMO_TIMEZONE

STATE_STYLES = {"warned": "yellow", "breached": "red", "escalated": "bold red"}


def render(
    board: Board,
    now: datetime,
    *,
    tz: tzinfo = DEMO_TIMEZONE,
    records_read: int | None = None,
    undecodable: int = 0,
    error: str | None = None,
    max_waiting: int = 15,
    max_recent: int = 10,
) -> RenderableType:
    waiting = board.waiting()
    header = _header(board, now, tz, len(waiting), records_read, undecodable, error)
    return Group(header, _waiting_table(waiting, now, tz, max_waiting), _recent_table(board, tz, max_recent))


def _header(board: Board, now: datetime, tz: tzinfo, waiting: int,
            records_read: int | None, undecodable: int, error: str | None) -> Panel:
    report = board.compliance()
    counts = board.counts()
    read = f" of {records_read} records read" if records_read is not None else ""
    bad = f", {undecodable} undecodable" if undecodable else ""
    lines = [
        Text.assemble(("simulated time ", "dim"), (now.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z"), "bold")),
        Text(f"outcomes {sum(counts.values())}{read}{bad} · waiting {waiting} · compliance "
             f"{_percent(report.overall.rate)} (met {report.overall.met} / breached {report.overall.breached})"),
        Text(" · ".join(f"{kind} {n}" for kind, n in sorted(counts.items())) or "no outcomes yet", style="dim"),
    ]
    if report.by_team:
        lines.append(Text("by team: " + " · ".join(f"{t} {_percent(c.rate)}" for t, c in report.by_team.items())))
    if error:
        lines.append(Text(f"consumer: {error} (retrying)", style="bold red"))
    return Panel(Group(*lines), title="leadsla · lead-handoff SLA", title_align="left")


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.1%}"


def _waiting_table(leads: list[WaitingLead], now: datetime, tz: tzinfo, limit: int) -> Table:
    hidden = max(0, len(leads) - limit)
    table = Table(title=f"Waiting for first contact ({len(leads)})", title_justify="left", expand=True,
                  caption=f"… and {hidden} more" if hidden else None, caption_justify="left")
    for column in ("lead", "team", "rep", "segment", "deadline", "time left", "state"):
        table.add_column(column, no_wrap=True)
    for lead in leads[:limit]:
        table.add_row(lead.lead_id, lead.team, lead.owner_rep, lead.segment,
                      lead.deadline_at.astimezone(tz).strftime("%a %H:%M"), time_left(lead.deadline_at, now),
                      state_label(lead.state), style=STATE_STYLES.get(lead.state.split()[0], ""))
    return table


def _recent_table(board: Board, tz: tzinfo, limit: int) -> Table:
    table = Table(title="Latest outcomes", title_justify="left", expand=True)
    for column in ("time", "kind", "lead", "team", "rep", "detail"):
        table.add_column(column, no_wrap=column != "detail")
    for outcome in reversed(board.recent(limit)):  # newest on top
        style = "red" if outcome.kind in ("breached", "escalated", "depth_breached") else ""
        table.add_row(stamp(outcome.at, tz), label(outcome.kind), outcome.lead_id, outcome.team,
                      outcome.owner_rep, detail(outcome, tz), style=style)
    return table

