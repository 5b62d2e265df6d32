"""The core pipeline on a real broker: inputs in, exact outcomes out."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from models.dead_letters import DeadLetter
from streams.kafka.admin import read_topic
from streams.kafka.codec import encode
from tests.harness import REPO, wait_for
from tests.scenarios import MONDAY_10_ET, at, converted, expected_four_lead_outcomes, four_leads, handoff

pytestmark = pytest.mark.broker


def ids(outcomes) -> set[str]:
    return {o.outcome_id for o in outcomes}


def run_until(pipeline, expected: set[str], timeout_s: float = 90):
    outcomes = wait_for(pipeline.outcomes, lambda found: expected <= ids(found), timeout_s)
    assert ids(outcomes) >= expected, f"missing {sorted(expected - ids(outcomes))}\n{pipeline.worker_logs()}"
    return outcomes


def test_events_on_the_three_topics_come_out_as_exact_outcomes(pipeline):
    pipeline.produce_events(four_leads())
    pipeline.start_worker()
    outcomes = run_until(pipeline, expected_four_lead_outcomes())
    assert ids(outcomes) == expected_four_lead_outcomes()  # nothing extra, nothing twice
    by_id = {o.outcome_id: o for o in outcomes}
    breach = by_id["L-never/1/breached"]
    assert (breach.deadline_at, breach.owner_rep, breach.team, breach.segment) == (
        at(15), "rep-ent-2", "enterprise", "enterprise-demo")
    assert by_id["L-never/1/escalated/2"].at == at(75) and by_id["L-never/1/escalated/2"].notify == "head_of_sales"
    late = by_id["L-late/1/contacted_late"]
    assert (late.contact_at, late.business_seconds) == (at(80), 80 * 60)
    assert by_id["L-met/1/met"].business_seconds == 5 * 60


def test_malformed_input_goes_to_dead_letters_and_valid_events_around_it_still_count(pipeline):
    topics = pipeline.settings.topics
    pipeline.produce_events([converted("L-before", "enterprise", "demo-request")])
    pipeline.produce_raw(topics.conversions, b"x", b'{"schema_version": 1, "lead_id": ')
    pipeline.produce_raw(topics.handoffs, b"x", json.dumps({"schema_version": 7, "lead_id": "L-x"}).encode())
    too_old = converted("L-old", "smb").model_dump(mode="json") | {"occurred_at": "1970-01-01T00:00:00Z"}
    pipeline.produce_raw(topics.conversions, b"L-old", json.dumps(too_old).encode())
    pipeline.produce_raw(topics.attempts, b"x", b"[1, 2]")
    pipeline.produce_events([handoff("L-before", "rep-ent-1", "enterprise")])
    pipeline.start_worker()
    run_until(pipeline, {"L-before/1/opened", "L-before/1/breached"})
    letters = wait_for(lambda: read_topic(pipeline.settings.bootstrap, topics.dead_letters),
                       lambda found: len(found) >= 4, 30)
    decoded = [DeadLetter.model_validate_json(r.value) for r in letters]
    assert sorted(d.code for d in decoded) == sorted(
        ["malformed_json", "unknown_schema_version", "invalid_field", "not_an_object"])
    old = next(d for d in decoded if d.code == "invalid_field")
    assert "1970-01-01" in old.reason and old.source_topic == topics.conversions and '"L-old"' in old.payload


def test_replay_under_a_fresh_app_id_gives_the_identical_outcome_set(pipeline):
    pipeline.produce_events(four_leads())
    pipeline.start_worker()
    live = run_until(pipeline, expected_four_lead_outcomes())
    pipeline.stop_workers()
    replay_settings = pipeline.settings.but(app_id=pipeline.settings.app_id + "-replay",
                                            outcomes_topic=pipeline.settings.topics.outcomes + "-replay")
    pipeline.settings = replay_settings
    pipeline.create_topics()
    pipeline.start_worker()
    replayed = run_until(pipeline, expected_four_lead_outcomes())
    assert {encode(o) for o in replayed} == {encode(o) for o in live}


def test_live_outcomes_equal_leadsla_evaluate_on_the_same_events(pipeline, tmp_path):
    events = four_leads()
    pipeline.produce_events(events)
    pipeline.start_worker()
    live = run_until(pipeline, expected_four_lead_outcomes())
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text("".join(encode(e).decode() + "\n" for e in events))
    as_of = datetime.now(timezone.utc).isoformat()
    result = subprocess.run([sys.executable, "-m", "streams.cli", "evaluate", "--events", str(jsonl),
                             "--as-of", as_of], capture_output=True, text=True, cwd=REPO, check=True)
    offline = {line for line in result.stdout.splitlines() if line}
    assert offline == {o.model_dump_json(exclude_none=True) for o in live}
    assert '"events": 11' in result.stderr and MONDAY_10_ET.year == 2026


def test_evaluate_reads_the_input_topics_for_an_audit_and_agrees_with_the_live_run(pipeline):
    pipeline.produce_events(four_leads())
    pipeline.produce_raw(pipeline.settings.topics.attempts, b"x", b"not json")
    pipeline.start_worker()
    live = run_until(pipeline, expected_four_lead_outcomes())
    env = dict(pipeline.env(), LEADSLA_TOPIC_PREFIX=pipeline.settings.topic_prefix)
    result = subprocess.run([sys.executable, "-m", "streams.cli", "evaluate", "--broker", pipeline.settings.bootstrap,
                             "--as-of", datetime.now(timezone.utc).isoformat()],
                            capture_output=True, text=True, cwd=REPO, env=env)
    audited = {line for line in result.stdout.splitlines() if line}
    assert audited == {o.model_dump_json(exclude_none=True) for o in live}
    assert f"{pipeline.settings.topics.attempts}[" in result.stderr and "malformed_json" in result.stderr
    assert result.returncode == 1, result.stderr  # the audit says its input was not clean


def test_a_backfilled_business_day_gives_exactly_the_offline_outcomes_with_no_corrections(pipeline, tmp_path):
    """Thousands of events written at once, spread over every partition: time must
    not move on before the backlog is read, whatever order Faust merges topics in."""
    import random

    from streams.simulator.traffic import ScheduledEvent, TrafficModel

    model = TrafficModel(random.Random(11), leads_per_hour=150)
    events = [s.event for s in model.events_between(MONDAY_10_ET, MONDAY_10_ET.replace(hour=23))
              if isinstance(s, ScheduledEvent)]
    pipeline.produce_events(events)
    jsonl = tmp_path / "events.jsonl"
    jsonl.write_text("".join(encode(e).decode() + "\n" for e in events))
    as_of = datetime.now(timezone.utc).isoformat()
    result = subprocess.run([sys.executable, "-m", "streams.cli", "evaluate", "--events", str(jsonl),
                             "--as-of", as_of], capture_output=True, text=True, cwd=REPO, check=True)
    offline = {json.loads(line)["outcome_id"] for line in result.stdout.splitlines() if line}
    assert len(events) > 1500 and len(offline) > 1000
    pipeline.start_worker()
    live = run_until(pipeline, offline, timeout_s=150)
    assert not [o.outcome_id for o in live if o.kind == "corrected"]
    assert ids(live) == offline
