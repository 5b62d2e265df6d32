"""The closed-loop agent's step without Faust: deals validated like every input (bad ones to dead
letters with a reason and a metric), conversions folded, conversion rejects left to the tracker."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from streams.kafka.partitioning import partition_for
from streams.metrics.pipeline import PipelineMetrics
from streams.runtime.marketing import step
from streams.runtime.policy_source import load_policy
from streams.runtime.settings import Settings

SETTINGS = Settings(partitions=4)
TOPICS = SETTINGS.topics
KINDS = {TOPICS.deals: "deal_closed", TOPICS.conversions: "lead_converted"}
NOW = datetime(2026, 11, 16, 15, tzinfo=timezone.utc)


@dataclass
class Message:
    topic: str
    value: bytes
    partition: int
    offset: int = 7
    timestamp: float = NOW.timestamp()


@dataclass
class Context:  # the part of AppContext the step reads
    settings: Settings
    metrics: PipelineMetrics


class DeadLetters:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send_soon(self, key: bytes, value: bytes) -> None:
        self.sent.append(json.loads(value))


class Loops(dict):
    pass


def deal(lead: str = "L-1", **changes) -> dict:
    return {"schema_version": 1, "event_id": "d-1", "lead_id": lead, "deal_id": "D-1",
            "occurred_at": (NOW - timedelta(days=3)).isoformat(), "status": "won", "amount": 900} | changes


def run(topic: str, document: dict, partition: int | None = None):
    context = Context(SETTINGS, PipelineMetrics(policy=load_policy(None)))
    loops, letters = Loops(), DeadLetters()
    home = partition_for(document.get("lead_id", "L-1"), SETTINGS.partitions)
    message = Message(topic, json.dumps(document).encode(), home if partition is None else partition)
    changed = step(message, KINDS, loops, context, letters)
    return changed, loops, letters.sent, context.metrics


def test_a_valid_deal_is_folded_into_its_leads_loop_and_counted():
    changed, loops, letters, metrics = run(TOPICS.deals, deal())
    assert changed and letters == [] and loops["L-1"].deals["D-1"].amount == 900
    assert metrics.registry.get_sample_value("leadsla_events_total",
                                             {"topic": TOPICS.deals, "kind": "deal_closed"}) == 1


@pytest.mark.parametrize("document, partition, code", [
    (deal(status="maybe"), None, "invalid_field"),
    (deal(kind="handoff"), None, "wrong_kind"),
    (deal(occurred_at=(NOW + timedelta(hours=2)).isoformat()), None, "from_the_future"),
    (deal(), (partition_for("L-1", 4) + 1) % 4, "misrouted"),
], ids=["invalid_field", "wrong_kind", "from_the_future", "misrouted"])
def test_a_bad_deal_goes_to_dead_letters_with_its_reason(document, partition, code):
    changed, loops, letters, metrics = run(TOPICS.deals, document, partition)
    assert not changed and loops == {}
    assert [(letter["code"], letter["source_topic"]) for letter in letters] == [(code, TOPICS.deals)]
    assert letters[0]["reason"]
    assert metrics.registry.get_sample_value("leadsla_dead_letters_total",
                                             {"topic": TOPICS.deals, "reason": code}) == 1


def test_a_bad_conversion_is_the_trackers_to_dead_letter_not_this_agents():
    conversion = {"schema_version": 1, "event_id": "c-1", "lead_id": "L-1", "occurred_at": "yesterday",
                  "source": "marketing", "segment": "smb"}
    changed, loops, letters, _ = run(TOPICS.conversions, conversion)
    assert (changed, loops, letters) == (False, {}, [])
