"""A period's report from recorded events: read them (a JSONL file or the input topics), replay
them through the pure core up to the period's end, and fold the outcomes into the report.

Under a policy history the core judges each lead cycle by the version in force at its
handoff (models.policy_history), in one run; a what-if policy is one more run, folded into a
second report and compared. The conversions and deals read on the way
feed the marketing waterfall. Shared by ``leadsla report`` and ``leadsla digest``. Progress
goes to stderr as the records are read and as each run replays them.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from itertools import chain
from typing import Iterable, Iterator

from models.policy_history import PolicyHistory
from models.report import Period, Report, ReportBuilder, reporting_zone
from models.report_agreement import agreement_of
from models.report_bandwidth import BandwidthBook
from models.report_marketing import MarketingBook
from models.report_versions import versions_applied
from models.report_what_if import compare
from streams.commands.evaluation import Evaluation, Record, topic_records
from streams.commands.event_sources import event_file_records, lead_topic_records
from streams.commands.failures import UserError
from streams.commands.preflight import require_reachable_broker
from streams.commands.version_replay import history_run, replay_runs
from streams.runtime.settings import Settings

READ_PROGRESS_EVERY = 100_000


@dataclass(frozen=True)
class WhatIfPolicy:
    name: str  # the file or folder, as the user named it
    history: PolicyHistory


def period_of(history: PolicyHistory, first_day: date, last_day: date) -> Period:
    """In the reporting time zone of the version in force on the last day."""
    try:
        return Period(first_day, last_day, reporting_zone(history.on_day(last_day).policy))
    except ValueError as error:
        raise UserError(f"{error}: --to must be on or after --from") from None


def period_report(events: Path | None, settings: Settings, history: PolicyHistory, period: Period,
                  what_if: WhatIfPolicy | None = None) -> tuple[Report, Evaluation]:
    """``events``: a JSONL file ('-': stdin); None reads the input topics of ``settings.broker``."""
    if events is None:
        require_reachable_broker(settings.broker)
        records = chain(lead_topic_records(settings), _deal_records(settings))
    else:
        records = event_file_records(events)
    builder = _builder(history, period)
    other = _builder(what_if.history, period) if what_if else None
    marketing = MarketingBook(builder.policy, period, lambda m: history.on_day(date(m.year, m.month, 1)).policy)
    bandwidth = BandwidthBook(period)
    runs = [history_run(history, lambda outcome: (builder.add(outcome), bandwidth.add_outcome(outcome)))]
    runs += [history_run(what_if.history, other.add, "what-if")] if what_if else []
    _say(f"replaying events up to {period.end.isoformat()} for {period.first_day} to {period.last_day} "
         f"({period.zone})")
    evaluation = replay_runs(_counted(records), runs, period.end, _replayed,
                             on_event=lambda event: (marketing.add(event), bandwidth.add_event(event)))
    _say(f"{evaluation.events} events, {evaluation.outcome_count} outcomes, {len(evaluation.rejected)} rejected "
         f"records, {evaluation.after_as_of} events after the period left out")
    rejected = [(f"{events}:{where}" if events else where, reason) for where, reason in evaluation.rejected]
    report = replace(builder.finish(rejected), marketing=marketing.finish(), bandwidth=bandwidth.finish(),
                     agreement=agreement_of(builder.policy, period),
                     versions=versions_applied(history, period, builder.verdicts().values()) if history.dated else ())
    if other is not None:
        report = replace(report, what_if=compare(what_if.name, report, other.finish(), builder.verdicts(),
                                                 other.verdicts()))
    return report, evaluation


def _builder(history: PolicyHistory, period: Period) -> ReportBuilder:
    """Targets shown are those of the version in force on the period's last day."""
    policy_at = history.policies.at if len(history.versions) > 1 else None
    return ReportBuilder(history.on_day(period.last_day).policy, period, policy_at)


def _deal_records(settings: Settings) -> Iterator[Record]:
    """The closed deals topic, for the marketing goals; a cluster without one has no closed loop yet."""
    try:
        yield from topic_records(settings.kafka, {settings.topics.deals: "deal_closed"})
    except LookupError:
        _say(f"no topic {settings.topics.deals}: goals learned from closed deals are unknown")


def _counted(records: Iterable[Record]) -> Iterator[Record]:
    for count, record in enumerate(records, start=1):
        if count % READ_PROGRESS_EVERY == 0:
            _say(f"{count} records read...")
        yield record


def _replayed(label: str, count: int) -> None:
    _say(f"replaying under {label}..." if count == 0 else f"{count} events replayed ({label})...")


def _say(text: str) -> None:
    print(f"leadsla: {text}", file=sys.stderr, flush=True)
