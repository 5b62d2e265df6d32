"""One read of the events, several replays: the pure core run once per policy, each run's
outcomes to its own sink. The records are read and validated once (spooled to a temporary
file, as ``evaluate`` does), then replayed in event-time order under each policy in turn.

Used for policy histories (one run per version, each keeping the lead cycles handed off
while it was in force: models.policy_history.in_force_only) and for the report's what-if
(the same period under another policy). The core never sees two policies at once.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from models.outcomes import Outcome
from models.policy import Policy
from models.policy_history import PolicyHistory, in_force_only
from streams.commands.evaluation import Evaluation, Record, end_time, replay, spool_valid


# (what is replayed, events replayed so far): 0 when a run starts
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Run:
    label: str  # for progress: "policy 2027-03-01.yaml"
    policy: Policy
    sink: Callable[[Outcome], None]


def history_runs(history: PolicyHistory, sink: Callable[[Outcome], None], end: datetime | None = None,
                 role: str = "policy") -> list[Run]:
    """A run per version that can judge a lead handed off before ``end``, each keeping its own cycles."""
    indexes = history.relevant(end) if end is not None else range(len(history.versions))
    return [Run(f"{role} {history.versions[i].name}", history.versions[i].policy, in_force_only(history, i, sink))
            for i in indexes]


def replay_runs(records: Iterable[Record], runs: list[Run], as_of: datetime | None,
                progress: Progress | None = None, on_event: Callable[[object], None] | None = None) -> Evaluation:
    """The evaluation of the first run (its counts and rejected records); every run's outcomes
    go to its sink. ``on_event`` sees each valid event once, as it is read."""
    first = Evaluation()
    with tempfile.TemporaryFile(prefix="leadsla-replay-") as spool:
        times, offsets = spool_valid(records, spool, first, as_of, on_event)
        latest = max(times) if times else None
        for number, run in enumerate(runs):
            evaluation = first if number == 0 else Evaluation()
            evaluation.sink = run.sink
            counted = (lambda count, label=run.label: progress(label, count)) if progress else None
            if counted and len(runs) > 1:
                counted(0)
            replay(spool, times, offsets, run.policy, evaluation, end_time(run.policy, as_of, latest), counted)
    return first
