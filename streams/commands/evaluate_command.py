"""``leadsla evaluate``: read the events, print the outcomes, report every rejected record.

The exit status tells a script whether the input was clean: 1 when any record was
rejected (the outcomes of the valid ones are still written), unless ``--allow-rejects``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Iterator

from streams.commands.evaluation import Evaluation, Record, evaluate_records
from streams.commands.event_sources import event_file_records, lead_topic_records, print_rejected
from streams.commands.failures import EXIT_REJECTED, UserError
from streams.commands.parallel_evaluation import evaluate_in_parallel
from streams.commands.policy_versions import load_history
from streams.commands.preflight import require_reachable_broker
from streams.runtime.settings import Settings, TopicNames


def run_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """``settings``: the policy (``--policy``, else LEADSLA_POLICY, as the worker reads it) and, for
    ``--broker``, the broker with the LEADSLA_KAFKA_* security."""
    history = load_history(settings.policy_path)  # a bad policy is reported before any record is read
    policies = history.policies  # each lead cycle judged by the version in force at its handoff
    if args.broker:
        require_reachable_broker(args.broker)  # else the Kafka client would wait out its own timeout
    source = (lambda: lead_topic_records(settings)) if args.broker else \
        (lambda: event_file_records(args.events))
    jobs = 1 if str(args.events) == "-" else args.jobs  # stdin: read once
    with _output(args.output) as out:
        write = lambda outcome: out.write(outcome.model_dump_json(exclude_none=True) + "\n")  # noqa: E731
        if jobs > 1:
            report = evaluate_in_parallel(source, policies, args.as_of, jobs, out.write, _group_progress(jobs))
        else:
            report = evaluate_records(source(), policies, args.as_of, _progress, sink=write)
    _report(report, args.events)
    if report.rejected and not args.allow_rejects:
        return EXIT_REJECTED
    return 0


def _progress(count: int) -> None:
    print(f"leadsla: {count} events evaluated...", file=sys.stderr, flush=True)


def _group_progress(jobs: int):
    def progress(group: int, count: int) -> None:
        print(f"leadsla: {count} events evaluated in group {group + 1} of {jobs}...", file=sys.stderr, flush=True)
    return progress


def _report(report: Evaluation, events: Path | None) -> None:
    print_rejected(report.rejected, events)
    summary = dict(events=report.events, outcomes=report.outcome_count, rejected=len(report.rejected),
                   duplicates=report.duplicates, after_as_of=report.after_as_of)
    if report.deals:  # set aside for `leadsla goals`; absent when there are none, as before deals existed
        summary["deals"] = report.deals
    print(f"evaluated {json.dumps(summary)}", file=sys.stderr)


@contextlib.contextmanager
def _output(path: Path | None):
    if path is None:
        yield sys.stdout
        return
    try:
        handle = path.open("w")
    except OSError as error:
        raise UserError(f"cannot write the outcomes to {path}: {error.strerror or error}") from None
    with handle:
        yield handle
