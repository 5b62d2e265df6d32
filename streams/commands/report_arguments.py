"""The command lines of ``leadsla report`` and ``leadsla digest``. Light to import: the
commands' modules are loaded only when one of them runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable

from streams.commands.arguments import calendar_date

SettingsOf = Callable[[argparse.Namespace], object]


def add_report(commands, settings_of: SettingsOf) -> None:
    command = commands.add_parser("report", help="a period's compliance report: HTML, Markdown, CSV or JSON")
    command.add_argument("--from", dest="from_day", type=calendar_date, required=True, metavar="DATE",
                         help="first day (YYYY-MM-DD, in the policy's reporting time zone)")
    command.add_argument("--to", dest="to_day", type=calendar_date, required=True, metavar="DATE",
                         help="last day, included")
    _source(command)
    command.add_argument("--what-if", type=Path, metavar="POLICY",
                         help="also under this policy (a file or a folder of versions): compliance side by side "
                              "and the leads whose verdict changes")
    command.add_argument("--format", choices=("html", "md", "csv", "json"),
                         help="default: from the --output suffix, else md")
    command.add_argument("--output", type=Path, help="write the report here (default: stdout)")
    command.set_defaults(handler=lambda args: _run("streams.commands.report_command", "run_report",
                                                   args, settings_of(args)))


def add_digest(commands, settings_of: SettingsOf) -> None:
    command = commands.add_parser("digest", help="one day's short summary for both teams; --post to a webhook")
    command.add_argument("--date", dest="day", type=calendar_date, metavar="DATE",
                         help="the day (default: yesterday in the policy's reporting time zone)")
    _source(command)
    command.add_argument("--format", choices=("md", "html"), default="md",
                         help="md (default) or html: a small self-contained page")
    command.add_argument("--post", metavar="URL", help='post {"text": markdown} to this webhook (Slack-compatible); '
                                                       'with --format html, {"text": ..., "html": page}')
    command.set_defaults(handler=lambda args: _run("streams.commands.digest_command", "run_digest",
                                                   args, settings_of(args)))


def _source(command: argparse.ArgumentParser) -> None:
    command.add_argument("--policy", type=Path, help="policy file, or a folder of versions named YYYY-MM-DD.yaml "
                                                      "(default: $LEADSLA_POLICY, else the shipped example)")
    source = command.add_mutually_exclusive_group(required=True)
    source.add_argument("--events", type=Path, help="JSONL file of events ('-': stdin)")
    source.add_argument("--broker", help="read the input topics of this Kafka (host:port) instead")


def _run(module: str, function: str, args: argparse.Namespace, settings) -> int:
    from importlib import import_module

    return getattr(import_module(module), function)(args, settings)
