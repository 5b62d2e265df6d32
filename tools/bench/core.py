"""leadsla bench-core: the pure core's cost, size and replay rate, no broker needed.

Prints, each against a baseline measured in the same run:
- growth: µs per event at a lead's 10th, 100th and 1,000th event (ratio to the 10th);
- memory per waiting lead in the core (tracemalloc);
- `leadsla evaluate --events` rate against reading and JSON-decoding the same file,
  and the evaluation's peak memory (a child process, so its RSS is its own).
"""

from __future__ import annotations

import gc
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

from models.events import ContactAttempt, LeadConverted, LeadHandoff, Tick
from models.policy import Policy
from models.tracker import Tracker

START = datetime(2026, 3, 2, 14, tzinfo=timezone.utc)


def run_core_benchmark(events: int) -> int:
    from streams.runtime.policy_source import load_policy

    policy = load_policy(None)
    growth(policy)
    memory_per_waiting_lead(policy, 20_000)
    with tempfile.TemporaryDirectory(prefix="leadsla-bench-core-") as work:
        replay(Path(work) / "events.jsonl", events)
    return 0


def growth(policy: Policy) -> None:
    _lead_costs(policy, "warm-up")  # fills the calendar and clock caches, as a running worker has them
    cost = _lead_costs(policy, "G")
    near = {k: statistics.median(cost[i] for i in range(k - 5, k + 6)) * 1e6 for k in (10, 100, 1000)}
    print("bench-core: growth, µs per event (event + tick) at a lead's 10th / 100th / 1,000th event: "
          + " / ".join(f"{v:.0f}" for v in near.values())
          + f"  (1,000th = {near[1000] / near[10]:.2f}× the 10th; target ≤ 1.5×)")


def _lead_costs(policy: Policy, lead: str) -> dict[int, float]:
    """Seconds for each event (and the tick after it) of one lead with 1,100 attempts."""
    tracker = Tracker(policy, {}, {})
    for event in (_conversion(lead, START), _handoff(lead, START)):
        tracker.on_entry(0, event)
    cost: dict[int, float] = {}
    for n in range(3, 1_106):
        at = START + timedelta(seconds=30 * n)
        attempt, tick = _attempt(lead, at, n), Tick(schema_version=1, at=at, partition=0)
        started = time.perf_counter()
        tracker.on_entry(0, attempt)
        tracker.on_entry(0, tick)
        cost[n] = time.perf_counter() - started
    return cost


def memory_per_waiting_lead(policy: Policy, leads: int) -> None:
    events = [e for n in range(leads) for e in (_conversion(f"M{n}", START), _handoff(f"M{n}", START))]
    gc.collect()
    tracemalloc.start()
    tracker = Tracker(policy, {}, {})
    for event in events:
        tracker.on_entry(0, event)
    gc.collect()
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"bench-core: memory per waiting lead: {used / leads:,.0f} B over {leads:,} leads "
          "(derivations of the 2,048 latest leads included; target ≤ 1 KB)")


def replay(path: Path, events: int) -> None:
    written = write_traffic(path, events)
    started = time.perf_counter()
    with path.open() as lines:
        decoded = sum(1 for line in lines if json.loads(line))
    baseline = decoded / (time.perf_counter() - started)
    print(f"bench-core: read + JSON decode (baseline): {baseline:,.0f} ev/s")
    _validation_rate(path, baseline)
    for jobs in sorted({1, os.cpu_count() or 1}):
        _evaluate(path, written, jobs, baseline)


def _validation_rate(path: Path, baseline: float) -> None:
    """Reading and validating into events, as evaluate's first pass does: the share of a
    replay that is not the core."""
    from streams.kafka.codec import decode_event

    started = time.perf_counter()
    with path.open("rb") as lines:
        validated = sum(1 for line in lines if decode_event(line.rstrip(b"\n"), None))
    rate = validated / (time.perf_counter() - started)
    print(f"bench-core: read + decode + validate into events: {rate:,.0f} ev/s ({rate / baseline:.2f}× the baseline)")


# Runs the CLI, then reports the peak RSS of its own process and of its largest child.
_MEASURED_CLI = ("import resource, sys\nfrom streams.cli import main\ntry:\n    code = main(sys.argv[1:])\n"
                 "finally:\n    own, child = (resource.getrusage(who).ru_maxrss for who in "
                 "(resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
                 "    print(f'PEAK {own} {child}', file=sys.stderr)\nsys.exit(code)")


def _evaluate(path: Path, written: int, jobs: int, baseline: float) -> None:
    started = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", _MEASURED_CLI, "evaluate", "--events", str(path),
                            "--jobs", str(jobs), "--output", str(path.with_suffix(".out"))],
                           capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        print(f"bench-core: evaluate --jobs {jobs} failed: {child.stderr[-2000:]}", file=sys.stderr)
        return
    own, largest_child = (int(kb) / 1024 for kb in child.stderr.rsplit("PEAK ", 1)[1].split())
    peak = own if jobs == 1 else f"{max(own, largest_child):,.0f} MiB the largest process, " \
                                 f"{own + jobs * largest_child:,.0f} MiB at most in all"
    rate = written / seconds
    print(f"bench-core: leadsla evaluate --events --jobs {jobs}: {written:,} events in {seconds:.1f} s = "
          f"{rate:,.0f} ev/s ({rate / baseline:.3f}× the baseline; target ≥ 0.3×), peak RSS "
          + (f"{peak:,.0f} MiB" if jobs == 1 else peak))


def write_traffic(path: Path, events: int) -> int:
    from streams.kafka.codec import encode
    from streams.simulator.traffic import ScheduledEvent, TrafficModel

    model = TrafficModel(random.Random(3), leads_per_hour=2000)
    written = 0
    with path.open("w") as out:
        for scheduled in model.schedule(START):
            if isinstance(scheduled, ScheduledEvent):
                out.write(encode(scheduled.event).decode() + "\n")
                written += 1
                if written >= events:
                    break
    return written


def _conversion(lead: str, at: datetime) -> LeadConverted:
    return LeadConverted(schema_version=1, event_id=f"{lead}-c", lead_id=lead, occurred_at=at,
                         source="marketing", segment="enterprise", offer="demo-request")


def _handoff(lead: str, at: datetime) -> LeadHandoff:
    return LeadHandoff(schema_version=1, event_id=f"{lead}-h", lead_id=lead, occurred_at=at,
                       owner_rep="rep-1", team="enterprise")


def _attempt(lead: str, at: datetime, n: int) -> ContactAttempt:
    return ContactAttempt(schema_version=1, event_id=f"{lead}-a{n}", lead_id=lead, occurred_at=at,
                          rep="rep-1", channel="call", outcome="no_answer", automated=n % 4 == 0)
