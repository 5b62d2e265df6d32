"""``leadsla report --broker`` against a real broker (the session's: embedded Tansu here): the
hand-built period with its policy change, written to the input topics and the deals topic,
gives the same report as the same events read from a file, and the deals topic feeds the
marketing goal."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime

import pytest

from models.events import DealClosed, LeadConverted
from streams.kafka.admin import TopicSpec, ensure_topics, produce
from streams.kafka.codec import encode
from streams.runtime.settings import TopicNames
from tests.harness import REPO
from tests.pure.events import NEW_YORK, as_json_line
from tests.pure.report_period import EVENTS
from tests.stream.commands.policy_change import K_EVENTS

pytestmark = pytest.mark.broker
PERIOD = ["--from", "2026-10-30", "--to", "2026-11-03", "--format", "json"]
# W, a mid-market marketing lead of June, won 15,000 in July: November's closed loop (window
# February-July, a 3-month cycle) learns close rate 1, deal size 15,000 and a marketing share of
# 1 (the only deal won in July): goal 4,100,000 x 1 / 15,000 / 1 leads. October's window
# (January-June) has no won revenue closed in it: its goal is unknown.
W = LeadConverted(schema_version=1, event_id="c-W", lead_id="W", occurred_at=datetime(2026, 6, 10, 10, tzinfo=NEW_YORK),
                  source="marketing", segment="mid-market")
W_DEAL = DealClosed(schema_version=1, event_id="d-W", deal_id="D-W", lead_id="W",
                    occurred_at=datetime(2026, 7, 20, 10, tzinfo=NEW_YORK), status="won", amount=15000)
LEAD_EVENTS = [*EVENTS, *K_EVENTS, W]


def leadsla(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True, cwd=REPO,
                          env=env, timeout=300)


def test_report_from_the_topics_is_the_report_from_the_file(pipeline, tmp_path):
    pipeline.produce_events(LEAD_EVENTS)
    deals = pipeline.settings.topics.deals
    ensure_topics(pipeline.settings.bootstrap, [TopicSpec(deals, pipeline.settings.partitions)])
    produce(pipeline.settings.bootstrap, deals, [(b"W", encode(W_DEAL))])
    events = tmp_path / "events.jsonl"
    events.write_text("".join(as_json_line(e) + "\n" for e in [*LEAD_EVENTS, W_DEAL]))
    env = pipeline.env()

    from_topics = leadsla(env, "report", *PERIOD, "--broker", pipeline.settings.bootstrap)
    from_file = leadsla(env, "report", *PERIOD, "--events", str(events))

    assert from_topics.returncode == 0, from_topics.stderr
    assert json.loads(from_topics.stdout) == json.loads(from_file.stdout)
    document = json.loads(from_topics.stdout)
    east = next(t for t in document["teams"] if t["team"] == "inbound-east")
    assert (east["leads_decided"], east["met"], east["breached"]) == (4, 2, 2)  # C and K breached under 1h
    goals = {(g["group"], g["month"]): g["month_goal_leads"] for g in document["marketing"]["groups"]}
    assert goals[("mid-market", "2026-11")] == pytest.approx(4_100_000 / 15_000)
    assert goals[("mid-market", "2026-10")] is None
    assert "replaying events up to 2026-11-04T05:00:00+00:00" in from_topics.stderr


def test_a_cluster_without_a_deals_topic_still_reports(pipeline):
    """A cluster that predates deals: only the three input topics exist under this prefix
    (the pipeline's own topology creates the deals topic too)."""
    prefix = f"{pipeline.settings.topic_prefix}-before-deals"
    topics = TopicNames.with_prefix(prefix)
    ensure_topics(pipeline.settings.bootstrap, [TopicSpec(t, pipeline.settings.partitions) for t in topics.inputs])
    by_kind = dict(zip(("lead_converted", "handoff", "contact_attempt"), topics.inputs))
    for event in LEAD_EVENTS:
        produce(pipeline.settings.bootstrap, by_kind[event.kind], [(event.lead_id.encode(), encode(event))])
    env = {**pipeline.env(), "LEADSLA_TOPIC_PREFIX": prefix}
    result = leadsla(env, "report", *PERIOD, "--broker", pipeline.settings.bootstrap)
    assert result.returncode == 0, result.stderr
    assert f"no topic {topics.deals}" in result.stderr
    goals = {(g["group"], g["month"]): g["month_goal_leads"] for g in json.loads(result.stdout)["marketing"]["groups"]}
    assert goals[("mid-market", "2026-11")] is None


def test_goals_from_the_topics_are_the_goals_from_the_file(pipeline, tmp_path):
    """``leadsla goals --broker`` reads the conversions and deals topics: November's goal from W's deal."""
    pipeline.produce_events(LEAD_EVENTS)
    deals = pipeline.settings.topics.deals
    ensure_topics(pipeline.settings.bootstrap, [TopicSpec(deals, pipeline.settings.partitions)])
    produce(pipeline.settings.bootstrap, deals, [(b"W", encode(W_DEAL)), (b"W", b'{"schema_version": 1}')])
    events = tmp_path / "events.jsonl"
    events.write_text("".join(as_json_line(e) + "\n" for e in [*LEAD_EVENTS, W_DEAL]))
    env = pipeline.env()

    month = ["goals", "--month", "2026-11", "--format", "json"]
    from_topics = leadsla(env, *month, "--broker", pipeline.settings.bootstrap)
    from_file = leadsla(env, *month, "--events", str(events))

    assert (from_topics.returncode, from_file.returncode) == (1, 0), from_topics.stderr  # the broken deal
    assert f"{deals}[" in from_topics.stderr and "rejected: invalid_field" in from_topics.stderr
    assert json.loads(from_topics.stdout) == json.loads(from_file.stdout)
    mid_market = next(g for g in json.loads(from_topics.stdout)["groups"] if g["name"] == "mid-market")
    assert mid_market["goal_leads"] == pytest.approx(4_100_000 / 15_000)
