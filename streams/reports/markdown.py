"""The report as Markdown: a title, then each section's tables (GitHub-flavoured tables)."""

from __future__ import annotations

from models.report import Report
from streams.reports.tables import Table, report_tables


def report_markdown(report: Report) -> str:
    lines = [f"# {title(report)}", "", *notes(report)]
    section = None
    for table in report_tables(report):
        if table.section != section:
            section = table.section
            lines += ["", f"## {section}"]
        lines += ["", f"### {table.title}", "", *markdown_table(table)]
    return "\n".join(lines) + "\n"


def title(report: Report) -> str:
    period = report.period
    return f"Lead SLA report, {period.first_day} to {period.last_day} ({period.zone})"


def notes(report: Report) -> list[str]:
    return [
        "Computed by event time through the same core as the live pipeline. A lead is decided at its first "
        "contact (met) or at its deadline (breached); speed figures are over the leads first contacted in the "
        "period; p90 is the nearest rank. Depth: follow-up periods that ended in the period, and those that "
        "ended short of the target with no connect.",
    ]


def markdown_table(table: Table) -> list[str]:
    return [_row(table.headings), _row(["---"] * len(table.headings)), *(_row(row) for row in table.rows)]


def _row(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"
