"""One read of the events, several replays: the pure core run once per policy, each run's
outcomes to its own sink. The records are read and validated once (spooled to a temporary
file, as ``evaluate`` does), then replayed in event-time order under each policy in turn.

A policy history is one run: the core itself judges each lead cycle by the version in
force at its handoff (models.policy_history). A second run is the report's what-if (the
same period under another policy or history).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from models.outcomes import Outcome
from models.policy import Policies
from models.policy_history import PolicyHistory
from streams.commands.evaluation import Evaluation, Record, end_time, replay, spool_valid


# (what is replayed, events replayed so far): 0 when a run starts
Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class Run:
    label: str  # for progress: "policy 2027-03-01.yaml", "policy versions 2026-01-01.yaml…"
    policies: Policies
    sink: Callable[[Outcome], None]


def history_run(history: PolicyHistory, sink: Callable[[Outcome], None], role: str = "policy") -> Run:
    """One run under every version of ``history``."""
    names = [version.name for version in history.versions]
    label = f"{role} {names[0]}" if len(names) == 1 else f"{role} versions {', '.join(names)}"
    return Run(label, history.policies, sink)


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
            if counted:
                counted(0)
            replay(spool, times, offsets, run.policies, evaluation, end_time(run.policies, as_of, latest), counted)
    return first
