"""``leadsla goals``: a month's marketing goal per goal group, learned from past leads and their deals.

Reads the conversions and closed deals of a JSONL file (other events in it are passed
over) or of the conversions and deals topics, and prints the closed loop's figures
(models.goal_report) as a table or as JSON. Rejected records are reported on stderr
like ``evaluate`` reports them; the exit status is then 1, unless ``--allow-rejects``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from models.closed_loop import ClosedLoopBook
from models.events import DealClosed, LeadConverted
from models.goal import goal_groups, total_quota
from models.goal_report import closed_loop_book, closed_loop_window, goal_report
from streams.commands.evaluation import Record
from streams.commands.event_sources import event_file_records, input_topic_records, print_rejected
from streams.commands.failures import EXIT_REJECTED, UserError
from streams.commands.goals_table import goals_table
from streams.commands.preflight import require_reachable_broker
from streams.commands.policy_versions import load_history
from streams.kafka.codec import InvalidMessage, decode_event
from streams.runtime.settings import Settings


@dataclass
class Reading:
    """What was read: counts for the summary line, and every rejected record."""

    conversions: int = 0
    deals: int = 0
    other_events: int = 0
    rejected: list[tuple[int | str, str]] = field(default_factory=list)


def run_goals(args: argparse.Namespace, settings: Settings) -> int:
    """``settings``: the policy (``--policy``, else LEADSLA_POLICY) and, for ``--broker``, the broker
    with the LEADSLA_KAFKA_* security. Under a policy history, the version in force as the month starts."""
    first_day = date(args.month.year, args.month.month, 1)
    policy = load_history(settings.policy_path).on_day(first_day).policy  # a bad policy: before any record
    if total_quota(policy) is None and not goal_groups(policy):
        raise UserError("the policy sets no goal: add a goals section with monthly_quota (see README, "
                        "'The policy file'), or marketing_goals")
    window = closed_loop_window(policy, args.window_months, args.sales_cycle_months)
    if args.broker:
        require_reachable_broker(args.broker)  # else the Kafka client would wait out its own timeout
    records = _topic_records(settings) if args.broker else event_file_records(args.events)
    book = closed_loop_book(policy, args.month)
    reading = read_into(book, records)
    report = goal_report(policy, book, args.month, window)
    print(json.dumps(report.as_json(), indent=2) if args.format == "json" else goals_table(report))
    print_rejected(reading.rejected, args.events)
    summary = dict(conversions=reading.conversions, deals=reading.deals, other_events=reading.other_events,
                   rejected=len(reading.rejected))
    print(f"read {json.dumps(summary)}", file=sys.stderr)
    return EXIT_REJECTED if reading.rejected and not args.allow_rejects else 0


def read_into(book: ClosedLoopBook, records: Iterable[Record]) -> Reading:
    """Validate every record; conversions and deals go into ``book``, other valid events are passed over."""
    reading = Reading()
    for where, raw, kind in records:
        try:
            event = decode_event(raw, kind)
        except InvalidMessage as invalid:
            reading.rejected.append((where, str(invalid)))
            continue
        if isinstance(event, (LeadConverted, DealClosed)):
            book.add(event)
            reading.conversions += isinstance(event, LeadConverted)
            reading.deals += isinstance(event, DealClosed)
        else:
            reading.other_events += 1
    return reading


def _topic_records(settings: Settings) -> Iterable[Record]:
    topics = settings.topics
    return input_topic_records(settings, {topics.conversions: "lead_converted", topics.deals: "deal_closed"},
                               missing="goals learn from the conversions and the deals topics, and a worker "
                                       "creates both")
