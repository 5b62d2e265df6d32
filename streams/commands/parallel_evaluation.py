"""``leadsla evaluate --jobs N``: the evaluation split over N processes by lead.

In an evaluation the watermark trails each event by the allowed lateness
(streams.commands.evaluation), so a lead's outcomes depend only on its own events and
on where the clock ends: leads can be evaluated apart. Each process reads every
record, keeps those of its leads (group = the lead's partition among N, as Kafka
would place it), validates and spools them, and tells the parent its latest event
time; the parent answers with where every group's clock ends (the latest over all,
or ``--as-of``). Each then replays its leads and writes their outcomes to a file of
its own, which the parent copies to the output group by group. A record whose lead
cannot be read goes to group 1, which reports it like any rejected record.
"""

from __future__ import annotations

import json
import multiprocessing
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

from models.policy import Policies
from streams.commands.evaluation import Evaluation, Record, end_time, replay, spool_valid
from streams.kafka.partitioning import partition_for

Source = Callable[[], Iterable[Record]]  # opens the records afresh, in each process


def evaluate_in_parallel(source: Source, policy: Policies, as_of: datetime | None, jobs: int,
                         write_line: Callable[[str], None],
                         progress: Callable[[int, int], None] | None = None) -> Evaluation:
    """Every outcome goes to ``write_line`` as a JSON line; the report counts them."""
    context = multiprocessing.get_context("fork")  # the children inherit the policy and the source
    with tempfile.TemporaryDirectory(prefix="leadsla-evaluate-") as work:
        outputs = [Path(work) / f"group-{group}.jsonl" for group in range(jobs)]
        pipes = [context.Pipe() for _ in range(jobs)]
        children = [context.Process(target=_evaluate_group, daemon=True,
                                    args=(group, jobs, source, policy, as_of, child, outputs[group], progress))
                    for group, (_, child) in enumerate(pipes)]
        for child in children:
            child.start()
        parents = [parent for parent, _ in pipes]
        latest = [time for time in (_receive(conn, children) for conn in parents) if time is not None]
        final = end_time(policy, as_of, max(latest) if latest else None)
        for conn in parents:
            conn.send(final)
        reports = [_receive(conn, children) for conn in parents]
        for child in children:
            child.join()
        for path in outputs:
            with path.open() as lines:
                for line in lines:
                    write_line(line)
    return _merged(reports)


def _evaluate_group(group: int, jobs: int, source: Source, policy: Policies, as_of: datetime | None,
                    conn, output: Path, progress) -> None:
    report = Evaluation()
    try:
        with output.open("w") as out, tempfile.TemporaryFile(prefix="leadsla-evaluate-") as spool:
            report.sink = lambda outcome: out.write(outcome.model_dump_json(exclude_none=True) + "\n")
            mine = (record for record in source() if _group_of(record[1], jobs) == group)
            times, offsets = spool_valid(mine, spool, report, as_of)
            conn.send(max(times) if times else None)
            counted = (lambda n: progress(group, n)) if progress else None
            replay(spool, times, offsets, policy, report, conn.recv(), counted)
        report.sink = None
        conn.send(report)
    except BaseException as error:  # the parent raises it (a user error is reported once, by the parent)
        conn.send(error)


def _group_of(raw: bytes, jobs: int) -> int:
    try:
        lead_id = json.loads(raw)["lead_id"]
    except Exception:  # noqa: BLE001 - any unreadable record: group 0 validates and reports it
        return 0
    return partition_for(lead_id, jobs) if isinstance(lead_id, str) else 0


def _receive(conn, children):
    """The next message from a child; its exception, raised here; an error if it died."""
    if not conn.poll(None):
        raise RuntimeError("an evaluation process ended without a result")
    try:
        message = conn.recv()
    except EOFError:
        codes = [child.exitcode for child in children]
        raise RuntimeError(f"an evaluation process died (exit codes {codes})") from None
    if isinstance(message, BaseException):
        raise message
    return message


def _merged(reports: list[Evaluation]) -> Evaluation:
    merged = Evaluation()
    for report in reports:
        merged.outcome_count += report.outcome_count
        merged.events += report.events
        merged.duplicates += report.duplicates
        merged.after_as_of += report.after_as_of
        merged.deals += report.deals
        merged.rejected += report.rejected
    merged.rejected.sort(key=lambda rejected: (isinstance(rejected[0], str), rejected[0]))  # input order
    return merged
