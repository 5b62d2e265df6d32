"""Counters and histograms: every lead cycle counted once, leads nobody called included."""

from __future__ import annotations

import pytest

from tests.metrics.feed import Feed
from tests.scenarios import at, attempt, converted, four_leads, handoff

DECIDED = "leadsla_leads_decided_total"
SPEED = "leadsla_speed_to_lead_business_seconds"


@pytest.fixture
def four() -> Feed:
    """met in time / never called / called late / returned, then 20 days pass."""
    feed = Feed()
    feed.events(four_leads())
    feed.watermark_to(at(20 * 24 * 60))
    return feed


def test_every_lead_is_decided_at_its_deadline_met_or_breached_per_team_and_segment(four):
    assert four.value(DECIDED, team="enterprise", segment="enterprise-demo", result="met") == 1
    assert four.value(DECIDED, team="enterprise", segment="enterprise-demo", result="breached") == 1  # never called
    assert four.value(DECIDED, team="inbound-east", segment="mid-market", result="breached") == 1  # called late
    assert four.value(DECIDED, team="inbound-east", segment="smb", result="breached") == 0  # returned in time


def test_handoffs_and_conversions_are_counted_by_team_segment_and_source(four):
    handed = "leadsla_leads_handed_off_total"
    assert four.value(handed, team="enterprise", segment="enterprise-demo") == 2
    assert four.value(handed, team="inbound-east", segment="mid-market") == 1
    assert four.value(handed, team="inbound-east", segment="smb") == 1
    assert four.value("leadsla_leads_converted_total", source="marketing", segment="enterprise") == 2
    assert four.value("leadsla_leads_converted_total", source="marketing", segment="smb") == 1


def test_speed_to_lead_histogram_has_the_target_on_a_bucket_bound(four):
    demo = dict(team="enterprise", segment="enterprise-demo")
    assert four.value(f"{SPEED}_bucket", **demo, le="900.0") == 1  # called after 5 minutes; target 15m
    assert four.value(f"{SPEED}_sum", **demo) == 5 * 60
    late = dict(team="inbound-east", segment="mid-market")
    assert four.value(f"{SPEED}_bucket", **late, le="3600.0") == 0  # 80 minutes; target 1h
    assert four.value(f"{SPEED}_bucket", **late, le="7200.0") == 1
    assert four.value("leadsla_speed_to_lead_wall_seconds_count", **late) == 1


def test_depth_breaches_count_leads_left_with_too_few_attempts(four):
    assert four.value("leadsla_depth_breaches_total", team="enterprise", segment="enterprise-demo") == 1
    assert four.value("leadsla_depth_breaches_total", team="inbound-east", segment="mid-market") == 1
    assert four.value("leadsla_depth_breaches_total", team="inbound-east", segment="smb") == 0


def test_a_breach_withdrawn_by_a_late_arriving_call_is_counted_once_and_as_withdrawn():
    feed = Feed()
    feed.events([converted("L-1", "enterprise", "demo-request"), handoff("L-1", "rep-ent-1", "enterprise")])
    feed.watermark_to(at(20))  # deadline 15m: breached
    feed.events([attempt("L-1", "rep-ent-1", 10, "connected")])  # stamped 10m, arrives after the breach
    assert "L-1/1/met" in {o.outcome_id for o in feed.outcomes}
    demo = dict(team="enterprise", segment="enterprise-demo")
    assert feed.value(DECIDED, **demo, result="breached") == 1  # the first verdict stands...
    assert feed.value(DECIDED, **demo, result="met") == 0  # ...the cycle is not counted twice
    assert feed.value("leadsla_decisions_withdrawn_total", **demo, result="breached") == 1
    assert feed.value(f"{SPEED}_count", **demo) == 1  # the contact itself is measured


def test_a_met_revised_by_an_earlier_call_is_not_counted_again():
    feed = Feed()
    feed.events([converted("L-1", "enterprise", "demo-request"), handoff("L-1", "rep-ent-1", "enterprise")])
    feed.events([attempt("L-1", "rep-ent-1", 10, "connected", n=2)])
    feed.watermark_to(at(12))
    feed.events([attempt("L-1", "rep-ent-1", 4, "no_answer", n=1)])  # earlier call, late: met is restated
    assert [o.kind for o in feed.outcomes].count("met") == 2
    demo = dict(team="enterprise", segment="enterprise-demo")
    assert feed.value(DECIDED, **demo, result="met") == 1
    assert feed.value("leadsla_decisions_withdrawn_total", **demo, result="met") == 0
    assert feed.value(f"{SPEED}_count", **demo) == 1


def test_duplicate_events_are_not_counted_twice():
    feed = Feed()
    feed.events([converted("L-1", "smb")] * 2)
    assert feed.value("leadsla_leads_converted_total", source="marketing", segment="smb") == 1
    assert feed.value("leadsla_duplicate_events_total") == 1


def test_teams_and_segments_the_policy_does_not_know_share_one_label():
    feed = Feed()
    for n, team in enumerate(["night-shift", "Night Shift", "nightshift"]):
        feed.events([converted(f"L-{n}", f"startup-{n}"), handoff(f"L-{n}", "rep-x", team)])
    feed.watermark_to(at(1))
    assert feed.value("leadsla_leads_handed_off_total", team="other", segment="default") == 3
    assert feed.value("leadsla_leads_converted_total", source="marketing", segment="other") == 3
