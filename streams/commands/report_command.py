"""``leadsla report``: a period's compliance report as HTML, Markdown, CSV or JSON.

The format is ``--format``, else the output file's suffix, else Markdown. Rejected
records do not fail the report: they are a section of it (data quality).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from models.report import Report
from streams.commands.failures import UserError
from streams.commands.period_report import WhatIfPolicy, period_of, period_report
from streams.commands.policy_versions import load_history
from streams.reports.csv_report import report_csv
from streams.reports.json_report import report_text
from streams.reports.markdown import report_markdown
from streams.runtime.settings import Settings

RENDERERS: dict[str, Callable[[Report], str]] = {
    "md": report_markdown, "csv": report_csv, "json": report_text,
    "html": lambda report: _html(report),
}
SUFFIXES = {".md": "md", ".markdown": "md", ".csv": "csv", ".json": "json", ".html": "html", ".htm": "html"}


def run_report(args: argparse.Namespace, settings: Settings) -> int:
    history = load_history(settings.policy_path)  # a bad policy is reported before any record is read
    what_if = WhatIfPolicy(str(args.what_if), load_history(args.what_if)) if args.what_if else None
    period = period_of(history, args.from_day, args.to_day)
    format_name = report_format(args.format, args.output)
    report, _ = period_report(args.events, settings, history, period, what_if)
    write_text(RENDERERS[format_name](report), args.output)
    if args.output:
        print(f"leadsla: wrote the {format_name} report to {args.output}", file=sys.stderr)
    return 0


def report_format(chosen: str | None, output: Path | None) -> str:
    if chosen:
        return chosen
    if output is not None and output.suffix.lower() in SUFFIXES:
        return SUFFIXES[output.suffix.lower()]
    return "md"


def write_text(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write the report to {output}: {error.strerror or error}") from None


def _html(report: Report) -> str:
    from streams.reports.html_page import report_html

    return report_html(report)
