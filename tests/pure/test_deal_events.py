"""Closed deals: the fourth input, read as strictly as the others and kept out of the SLA tracker."""

from __future__ import annotations

import json

import pytest

from models.events import DealClosed
from streams.commands.evaluation import evaluate
from streams.kafka.codec import InvalidMessage, decode_event
from streams.runtime.settings import TopicNames
from tests.pure.events import as_json_line, converted, et, example_policy, handoff

DEAL = {"schema_version": 1, "kind": "deal_closed", "event_id": "d-1-won", "deal_id": "D-1", "lead_id": "L-42",
        "occurred_at": "2026-05-20T16:00:00Z", "status": "won", "amount": 52000}


def rejection(document: dict, expected_kind: str | None = None) -> tuple[str, str]:
    with pytest.raises(InvalidMessage) as caught:
        decode_event(json.dumps(document), expected_kind)
    return caught.value.code, caught.value.reason


def test_the_readme_deal_decodes_with_its_lead_amount_and_result():
    deal = decode_event(json.dumps(DEAL))
    assert isinstance(deal, DealClosed)
    assert (deal.deal_id, deal.lead_id, deal.won, deal.amount) == ("D-1", "L-42", True, 52000.0)
    assert decode_event(json.dumps({**DEAL, "status": "lost", "amount": 0})).won is False


def test_on_the_deals_topic_the_kind_may_be_left_out():
    document = {key: value for key, value in DEAL.items() if key != "kind"}
    assert decode_event(json.dumps(document), "deal_closed").kind == "deal_closed"


@pytest.mark.parametrize("change, reason", [
    ({"amount": "52000"}, 'amount: Input should be a valid number, not the string "52000"'),
    ({"amount": -1}, "amount: Input should be greater than or equal to 0"),
    ({"amount": True}, "amount: Input should be a valid number, not true"),
    ({"status": "closed-won"}, "status: Input should be 'won' or 'lost'"),
    ({"deal_id": "D 1"}, "deal_id: character U+0020 (SPACE) at position 2 is not allowed: an id is printable "
                         "text without spaces, control or formatting characters"),
    ({"occurred_at": "2026-05-20T16:00:00"}, "occurred_at: Input should have timezone info"),
], ids=["amount-text", "amount-negative", "amount-bool", "status", "deal-id-space", "naive-time"])
def test_a_deal_is_validated_strictly_like_the_other_events(change, reason):
    assert rejection({**DEAL, **change}) == ("invalid_field", reason)


def test_a_deal_needs_its_amount_and_lead():
    code, reason = rejection({key: value for key, value in DEAL.items() if key not in ("amount", "lead_id")})
    assert code == "invalid_field"
    assert "lead_id: Field required" in reason and "amount: Field required" in reason


def test_a_deal_on_a_lead_topic_is_a_dead_letter_as_before():
    assert rejection(DEAL, "handoff") == ("wrong_kind", "kind 'deal_closed' does not belong on the handoff topic")


def test_the_deals_topic_follows_the_prefix_and_is_not_an_input_of_the_sla_tracker():
    topics = TopicNames.with_prefix("acme")
    assert topics.deals == "acme.deals"
    assert topics.deals not in topics.inputs


def test_evaluate_sets_deals_aside_without_rejecting_them_or_changing_outcomes():
    lines = [as_json_line(converted(et(1, 9, 50), "L-42")), as_json_line(handoff(et(1, 10), "L-42"))]
    without = evaluate(lines, example_policy())
    with_deal = evaluate(lines + [json.dumps(DEAL)], example_policy())
    assert with_deal.rejected == [] and with_deal.deals == 1
    assert with_deal.outcomes == without.outcomes and with_deal.events == without.events == 2
