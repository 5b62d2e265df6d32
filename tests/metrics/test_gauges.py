"""The "how things are now" gauges, computed from the lead-state table as the timer does."""

from __future__ import annotations

import pytest

from datetime import timedelta

from models.attempts import period_end
from models.lead_snapshot import FactsCache

from streams.metrics.gauges import gauge_families
from streams.metrics.snapshot import LiveWindows
from tests.metrics.feed import Feed
from tests.scenarios import at, attempt, converted, handoff


def publish(feed: Feed, minutes: float, windows: LiveWindows | None = None, cache: FactsCache | None = None) -> None:
    families = gauge_families(feed.leads.values(), feed.policy, feed.metrics, at(minutes), windows or LiveWindows(),
                              cache)
    feed.metrics.snapshot.publish(families)


@pytest.fixture
def floor() -> Feed:
    """Four leads handed off at 10:00 on Monday 2 March; it is 10:30."""
    feed = Feed()
    feed.events([
        converted("L-never", "enterprise", "demo-request"), handoff("L-never", "rep-ent-2", "enterprise"),
        converted("L-called", "enterprise", "demo-request").model_copy(update={"value": 120_000.0}),
        handoff("L-called", "rep-ent-1", "enterprise"), attempt("L-called", "rep-ent-1", 5, "connected"),
        converted("L-wait", "mid-market"), handoff("L-wait", "rep-east-1", "inbound-east"),
        converted("L-tried", "smb"), handoff("L-tried", "rep-west-1", "inbound-west"),
        attempt("L-tried", "rep-west-1", 5, "voicemail", n=1), attempt("L-tried", "rep-west-1", 10, n=2),
        converted("L-february", "enterprise", minutes=-3 * 24 * 60),
        converted("L-by-sales", "enterprise", source="sales"),
    ])
    publish(feed, 30)
    return feed


def test_leads_waiting_now_split_into_on_time_and_overdue(floor):
    waiting = "leadsla_leads_waiting"
    assert floor.value(waiting, team="enterprise", segment="enterprise-demo", status="overdue") == 1  # 15m target
    assert floor.value(waiting, team="enterprise", segment="enterprise-demo", status="on_time") == 0
    assert floor.value(waiting, team="inbound-east", segment="mid-market", status="on_time") == 1  # 1h target
    # Every team the policy names has its series, at 0 when nobody waits: a dashboard shows 0, not "no data".
    assert floor.registry.get_sample_value(waiting, dict(team="emea", segment="smb", status="overdue")) == 0


def test_a_call_ends_the_wait_at_the_next_refresh(floor):
    cache = FactsCache(floor.policy)
    publish(floor, 30, cache=cache)
    floor.events([attempt("L-never", "rep-ent-2", 31, "no_answer")])
    publish(floor, 32, cache=cache)  # the cached facts of L-never are stale: recomputed
    assert floor.value("leadsla_leads_waiting", team="enterprise", segment="enterprise-demo", status="overdue") == 0
    assert floor.value("leadsla_oldest_waiting_lead_age_seconds", team="enterprise") == 0


def test_oldest_waiting_lead_age_per_team(floor):
    age = "leadsla_oldest_waiting_lead_age_seconds"
    assert floor.value(age, team="enterprise") == 30 * 60
    assert floor.value(age, team="inbound-east") == 30 * 60
    assert floor.registry.get_sample_value(age, dict(team="inbound-west")) == 0  # called within 5 minutes


def test_attempts_on_unconnected_leads_by_follow_up_period(floor):
    open_ = dict(period="open")
    assert floor.value("leadsla_unconnected_leads", team="inbound-west", segment="smb", **open_) == 1
    assert floor.value("leadsla_unconnected_lead_attempts", team="inbound-west", segment="smb", **open_) == 2
    assert floor.value("leadsla_unconnected_leads", team="enterprise", segment="enterprise-demo", **open_) == 1
    assert floor.value("leadsla_unconnected_lead_attempts", team="enterprise", segment="enterprise-demo", **open_) == 0
    publish(floor, 20 * 24 * 60)  # 20 days later: 10 business days have ended for every lead
    ended = dict(team="enterprise", segment="enterprise-demo", period="ended")
    assert floor.value("leadsla_unconnected_leads", **ended) == 1
    assert floor.value("leadsla_unconnected_leads", team="enterprise", segment="enterprise-demo", **open_) == 0


def test_watermark_lag_and_tick_age_as_of_now(floor):
    floor.watermark_to(at(25))
    publish(floor, 30)
    assert floor.value("leadsla_watermark_lag_seconds", partition="0") == 5 * 60
    tick_age = 5 * 60 - floor.policy.allowed_lateness.total_seconds()
    assert floor.value("leadsla_tick_age_seconds") == tick_age


def test_live_windows_sum_over_partitions_and_bound_their_labels(floor):
    windows = LiveWindows()
    windows.contacted.update({"enterprise": 3, "pirates": 1})
    windows.wall_seconds.update({"enterprise": 900.0, "pirates": 60.0})
    windows.rep_attempts.update({"rep-ent-1": 4})
    windows.lead_attempts = [1, 3, 2]
    publish(floor, 30, windows)
    assert floor.value("leadsla_live_hour_contacted_leads", team="enterprise") == 3
    assert floor.value("leadsla_live_hour_contacted_leads", team="other") == 1
    assert floor.value("leadsla_live_hour_speed_to_lead_seconds", team="enterprise", clock="wall") == 900
    assert floor.value("leadsla_live_day_rep_attempts", rep="rep-ent-1") == 4
    assert (floor.value("leadsla_live_day_attempted_leads"), floor.value("leadsla_live_day_lead_attempts"),
            floor.value("leadsla_live_day_lead_attempts_max")) == (3, 6, 3)



def test_retired_leads_leave_the_tracked_count_for_the_tombstone_count(floor):
    assert (floor.value("leadsla_tracked_leads"), floor.value("leadsla_retired_leads")) == (6, 0)
    floor.watermark_to(at(90 * 24 * 60))  # past every outcome and the policy's retire_after (35 days)
    floor.events([converted("L-new", "smb", minutes=90 * 24 * 60)])
    publish(floor, 90 * 24 * 60)
    assert (floor.value("leadsla_tracked_leads"), floor.value("leadsla_retired_leads")) == (1, 6)


def test_depth_is_judged_over_periods_that_ended_lately_not_over_every_lead_kept(floor):
    ended, periods = dict(period="ended"), "leadsla_follow_up_periods_ended"
    assert floor.value(periods, team="enterprise", segment="enterprise-demo", result="breached") == 0  # still open
    publish(floor, 20 * 24 * 60)  # 22 March: the periods (10 business days) ended about a week ago
    assert floor.value(periods, team="enterprise", segment="enterprise-demo", result="breached") == 1  # L-never
    assert floor.value(periods, team="enterprise", segment="enterprise-demo", result="met") == 1  # L-called connected
    assert floor.value(periods, team="inbound-west", segment="smb", result="breached") == 1  # 2 attempts of 6
    assert floor.value("leadsla_unconnected_lead_attempts", team="inbound-west", segment="smb", **ended) == 2
    publish(floor, 40 * 24 * 60)  # 11 April: ended longer ago than a period lasts: out of the timeframe
    assert floor.value(periods, team="enterprise", segment="enterprise-demo", result="breached") == 0
    assert floor.value("leadsla_unconnected_leads", team="enterprise", segment="enterprise-demo", **ended) == 0
    assert floor.value("leadsla_unconnected_leads", team="inbound-west", segment="smb", **ended) == 0


def test_a_lead_returned_before_its_period_ended_is_not_judged_on_depth(floor):
    floor.events([handoff("L-wait", "", "", minutes=60, action="return", n=2)])
    publish(floor, 20 * 24 * 60)
    assert floor.value("leadsla_follow_up_periods_ended", team="inbound-east", segment="mid-market",
                       result="breached") == 0


def test_each_reps_load_against_their_capacity(floor):
    def load(rep: str, team: str, measure: str) -> float:
        return floor.value("leadsla_rep_load", rep=rep, team=team, measure=measure)

    assert [load(r, t, "handed_today") for r, t in [("rep-ent-2", "enterprise"), ("rep-ent-1", "enterprise"),
                                                     ("rep-east-1", "inbound-east"), ("rep-west-1", "inbound-west")]
            ] == [1, 1, 1, 1]
    assert (load("rep-ent-2", "enterprise", "waiting"), load("rep-ent-1", "enterprise", "waiting")) == (1, 0)
    # rep-west-1 made 2 of the 6 attempts smb asks for; rep-ent-1 connected: nothing more needed.
    assert (load("rep-west-1", "inbound-west", "attempts_made"),
            load("rep-west-1", "inbound-west", "attempts_needed")) == (2, 4)
    assert load("rep-ent-1", "enterprise", "unconnected") == 0
    # 8 attempts over the days left of enterprise-demo's period (10 business days from the handoff).
    segment = next(s for s in floor.policy.segments if s.name == "enterprise-demo")
    ends = period_end(segment, floor.policy.calendar_for(segment, "enterprise"), at(0))
    days_left = (ends - at(30)) / timedelta(days=1)
    assert 11 < days_left < 14
    assert load("rep-ent-2", "enterprise", "attempts_needed_per_day") == pytest.approx(8 / days_left)
    capacity = "leadsla_rep_capacity_attempts_per_day"
    assert floor.value(capacity, rep="rep-ent-2", team="enterprise") == 40  # the team's figure
    assert floor.value(capacity, rep="rep-east-1", team="inbound-east") == 60  # the default
    publish(floor, 24 * 60)  # the next day: nothing handed today
    assert load("rep-ent-2", "enterprise", "handed_today") == 0
