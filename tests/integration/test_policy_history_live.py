"""A worker under a policy history (a folder of dated versions) on a real broker: each lead
cycle judged by the version in force at its handoff, exactly as ``leadsla evaluate`` judges
the same events under the same folder (tests/stream/commands/policy_change.py: the mid-market
target is 1h until Sun 1 Nov 2026, 3h from Mon 2 Nov)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from streams.kafka.codec import encode
from tests.harness import REPO
from tests.integration.test_pipeline import run_until
from tests.pure.events import attempt, converted, handoff
from tests.pure.report_period import EVENTS, ny
from tests.stream.commands.policy_change import K_EVENTS, write_history

pytestmark = pytest.mark.broker


def _called_monday_at_11(lead: str, handed_off: datetime) -> list:
    return [converted(handed_off, lead, segment="mid-market", offer=None),
            handoff(handed_off, lead, rep="rep-a", team="inbound-east"),
            attempt(ny(11, 2, 11), lead, rep="rep-a", outcome="connected")]


# Either side of the new version's midnight (05:00 UTC, the day after the clocks went back).
BOUNDARY = [*_called_monday_at_11("N", ny(11, 1, 23, 30)), *_called_monday_at_11("M", ny(11, 2, 0, 30))]
JUDGED = {"K/1/met", "M/1/met", "N/1/breached", "N/1/contacted_late", "C/1/breached"}


def test_a_worker_with_a_policy_folder_gives_exactly_evaluates_outcomes(pipeline, tmp_path):
    pipeline.settings = pipeline.settings.but(policy_path=write_history(tmp_path))
    events = [*EVENTS, *K_EVENTS, *BOUNDARY]
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text("".join(encode(e).decode() + "\n" for e in events))
    result = subprocess.run([sys.executable, "-m", "streams.cli", "evaluate", "--events", str(jsonl),
                             "--as-of", datetime.now(timezone.utc).isoformat()],
                            capture_output=True, text=True, cwd=REPO, env=pipeline.env(), check=True)
    offline = {line for line in result.stdout.splitlines() if line}
    offline_ids = {json.loads(line)["outcome_id"] for line in offline}
    assert JUDGED <= offline_ids and not offline_ids & {"K/1/breached", "M/1/breached", "N/1/met"}
    pipeline.produce_events(events)
    pipeline.start_worker()
    live = run_until(pipeline, offline_ids)
    assert {o.model_dump_json(exclude_none=True) for o in live} == offline
