"""Several workers decide as one: workers join and leave while a backlog is read, and the
outcome set is exactly `leadsla evaluate`'s on the same events: nothing missing, nothing
extra, no outcome id with two contents, no correction evaluate does not make.

The old faults this guards against: a caught-up worker moved time on partitions another
worker was still reading, which breached leads whose calls were still queued, then
corrected them (hundreds of `corrected` outcomes and duplicated ids with 2-3 workers);
records lost or read twice when partitions moved (changelog and offsets out of step); and
a partition nothing was committed on, handed over after its first owner had fetched and
dropped its backlog, never read again (a quarter or more of the outcomes missing)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from streams.kafka.codec import encode
from tests.harness import REPO
from tests.scenarios import MONDAY_10_ET

pytestmark = pytest.mark.broker


def backlog() -> list:
    from streams.simulator.traffic import ScheduledEvent, TrafficModel

    model = TrafficModel(random.Random(23), leads_per_hour=300)
    end = MONDAY_10_ET + timedelta(hours=14)
    return [s.event for s in model.events_between(MONDAY_10_ET, end) if isinstance(s, ScheduledEvent)]


def offline_outcomes(events, tmp_path) -> dict[str, str]:
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text("".join(encode(e).decode() + "\n" for e in events))
    result = subprocess.run([sys.executable, "-m", "streams.cli", "evaluate", "--events", str(jsonl),
                             "--as-of", datetime.now(timezone.utc).isoformat()],
                            capture_output=True, text=True, cwd=REPO, check=True)
    found = [json.loads(line) for line in result.stdout.splitlines() if line]
    return {o["outcome_id"]: json.dumps(o, sort_keys=True) for o in found}


def contents_by_id(outcomes) -> dict[str, set[str]]:
    seen: dict[str, set[str]] = {}
    for outcome in outcomes:
        seen.setdefault(outcome.outcome_id, set()).add(json.dumps(
            json.loads(outcome.model_dump_json(exclude_none=True)), sort_keys=True))
    return seen


def settled(pipeline, expected: dict[str, str], quiet_s: float = 5, timeout_s: float = 240) -> list:
    """The outcomes once nearly all of ``expected`` are in and none has been added for
    ``quiet_s`` (so an early decision and its correction would both be seen)."""
    deadline, last, since = time.monotonic() + timeout_s, -1, time.monotonic()
    while time.monotonic() < deadline:
        found = pipeline.outcomes()
        if len(found) != last:
            last, since = len(found), time.monotonic()
        elif time.monotonic() - since >= quiet_s and len({o.outcome_id for o in found}) >= len(expected):
            return found
        time.sleep(1)
    return pipeline.outcomes()


def test_workers_joining_and_leaving_mid_backlog_decide_exactly_as_evaluate(pipeline, tmp_path):
    events = backlog()
    first, second = events[: len(events) // 2], events[len(events) // 2:]

    # Tables move between workers here: on the embedded broker they recover their whole
    # changelog only with this (see README "Known limits"); elsewhere it only slows sends.
    pipeline.extra_env["LEADSLA_EMBEDDED_BROKER"] = "1"
    pipeline.produce_events(first)
    one = pipeline.start_worker(own_data_dir=True)
    pipeline.start_worker(own_data_dir=True)  # joins while the first is reading the backlog
    time.sleep(4)
    pipeline.produce_events(second)
    pipeline.start_worker(own_data_dir=True)  # a third joins...
    time.sleep(3)
    pipeline.stop_worker(one)  # ...and the first leaves, mid-stream

    expected = offline_outcomes(events, tmp_path)
    assert len(expected) > 2000
    live = settled(pipeline, expected)
    contents = contents_by_id(live)
    early = [o.corrects for o in live if o.kind == "corrected" and o.outcome_id not in expected]
    assert not early, f"{len(early)} decisions corrected, e.g. {early[:5]}\n{pipeline.worker_logs()}"
    assert not [key for key, texts in contents.items() if len(texts) > 1], "an outcome id with two contents"
    announced = {key: texts.pop() for key, texts in contents.items()}
    missing = sorted(set(expected) - set(announced))
    extra = sorted(set(announced) - set(expected))
    different = sorted(key for key in set(expected) & set(announced) if expected[key] != announced[key])
    print(f"scale-out: {len(expected)} expected, {len(missing)} missing, {len(extra)} extra, "
          f"{len(different)} different")
    assert (missing, extra, different) == ([], [], []), \
        f"missing {missing[:5]}, extra {extra[:5]}, different {different[:5]}\n{pipeline.worker_logs()}"
