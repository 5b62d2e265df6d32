"""A period's report from recorded events: read them (a JSONL file or the input topics), replay
them through the pure core up to the period's end, and fold the outcomes into the report.

Shared by ``leadsla report`` and ``leadsla digest``. Progress goes to stderr, as the
records are read and as the core replays them, so a month of topics is not a silent wait.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator

from models.policy import Policy
from models.report import Period, Report, ReportBuilder, reporting_zone
from streams.commands.event_sources import event_file_records, lead_topic_records
from streams.commands.evaluation import Evaluation, Record, evaluate_records
from streams.commands.failures import UserError
from streams.commands.preflight import require_reachable_broker
from streams.runtime.settings import Settings

READ_PROGRESS_EVERY = 100_000


def period_of(policy: Policy, first_day: date, last_day: date) -> Period:
    try:
        return Period(first_day, last_day, reporting_zone(policy))
    except ValueError as error:
        raise UserError(f"{error}: --to must be on or after --from") from None


def period_report(events: Path | None, settings: Settings, policy: Policy, period: Period) -> tuple[Report, Evaluation]:
    """``events``: a JSONL file ('-': stdin); None reads the input topics of ``settings.broker``."""
    if events is None:
        require_reachable_broker(settings.broker)
        records = lead_topic_records(settings)
    else:
        records = event_file_records(events)
    builder = ReportBuilder(policy, period)
    _say(f"replaying events up to {period.end.isoformat()} for {period.first_day} to {period.last_day} "
         f"({period.zone})")
    evaluation = evaluate_records(_counted(records), policy, period.end, _replayed, sink=builder.add)
    _say(f"{evaluation.events} events, {evaluation.outcome_count} outcomes, {len(evaluation.rejected)} rejected "
         f"records, {evaluation.after_as_of} events after the period left out")
    rejected = [(f"{events}:{where}" if events else where, reason) for where, reason in evaluation.rejected]
    return builder.finish(rejected), evaluation


def _counted(records: Iterable[Record]) -> Iterator[Record]:
    for count, record in enumerate(records, start=1):
        if count % READ_PROGRESS_EVERY == 0:
            _say(f"{count} records read...")
        yield record


def _replayed(count: int) -> None:
    _say(f"{count} events replayed...")


def _say(text: str) -> None:
    print(f"leadsla: {text}", file=sys.stderr, flush=True)
