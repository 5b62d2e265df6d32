"""The period report's figures against the ones worked out by hand in report_period.py:
a period across a month end, the end of daylight saving time and a weekend."""

from __future__ import annotations

from datetime import date

import pytest

from models.report import Period, build_report, reporting_zone
from models.report_figures import nearest_rank, spread
from streams.commands.evaluation import evaluate
from tests.pure.events import example_policy
from tests.pure.report_period import END, FIRST_DAY, LAST_DAY, LATE_D, LINES, WALL_A, ny

POLICY = example_policy()


@pytest.fixture(scope="module")
def outcomes():
    return evaluate(LINES, POLICY, END).outcomes


@pytest.fixture(scope="module")
def report(outcomes):
    return build_report(outcomes, POLICY, Period(FIRST_DAY, LAST_DAY, reporting_zone(POLICY)))


def test_the_period_is_whole_days_in_the_reporting_zone():
    period = Period(FIRST_DAY, LAST_DAY, reporting_zone(POLICY))
    assert (period.start, period.end) == (ny(10, 30, 0), END)
    assert (period.end - period.start).total_seconds() == 5 * 86400 + 3600  # the night the clocks go back
    with pytest.raises(ValueError, match="ends"):
        Period(LAST_DAY, FIRST_DAY, "America/New_York")


def test_per_team_speed(report):
    east = report.by_team["inbound-east"]  # A met, B met, C breached; E was decided before the period
    assert (east.leads_decided, east.met, east.breached, east.share_within_target) == (3, 2, 1, 2 / 3)
    assert (east.wall.median, east.wall.p90, east.wall.average) == (7200, WALL_A, (WALL_A + 1800 + 7200) / 3)
    assert (east.business.median, east.business.p90, east.business.average) == (3000, 7200, 4000)
    enterprise = report.by_team["enterprise"]  # D: breached, never called
    assert (enterprise.leads_decided, enterprise.breached, enterprise.contacted) == (1, 1, 0)
    assert enterprise.wall.median is None
    assert set(report.by_team) == {"inbound-east", "enterprise"}  # F and G were decided on 19 Oct


def test_per_day_week_segment_and_rep(report):
    assert {day: f.leads_decided for day, f in report.by_day.items()} == {date(2026, 10, 30): 2, date(2026, 11, 2): 2}
    assert report.by_day[date(2026, 11, 2)].met == 1
    assert {week: (f.leads_decided, f.met) for week, f in report.by_week.items()} == {
        "2026-W44": (2, 1), "2026-W45": (2, 1)}
    assert {s: (f.leads_decided, f.met) for s, f in report.by_segment.items()} == {
        "mid-market": (3, 2), "enterprise-demo": (1, 0)}
    assert {k: (f.leads_decided, f.met) for k, f in report.by_rep.items()} == {
        ("inbound-east", "rep-a"): (1, 1), ("inbound-east", "rep-b"): (2, 1), ("enterprise", "rep-c"): (1, 0)}
    assert (report.total.leads_decided, report.total.met, report.total.contacted) == (4, 2, 3)


def test_breached_leads_carry_their_evidence(report):
    found = {b.lead_id: b for b in report.breaches}
    assert set(found) == {"C", "D"}
    c, d = found["C"], found["D"]
    assert (c.handoff_at, c.deadline_at, c.contact_at, c.late_by_seconds, c.escalation_level) == (
        ny(10, 30, 10), ny(10, 30, 11), ny(10, 30, 12), 3600, 1)
    assert (d.team, d.owner_rep, d.deadline_at, d.contact_at, d.late_by_seconds, d.escalation_level) == (
        "enterprise", "rep-c", ny(11, 2, 9, 15), None, LATE_D, 2)


def test_depth_against_the_target(report):
    west = report.depth_by_team["inbound-west"]  # F: 2 attempts, never reached; G: reached
    assert (west.periods_ended, west.depth_breached, west.average_attempts, west.average_target) == (2, 1, 2, 6)
    assert west.share_within_target == 0.5
    assert report.depth_by_rep == {("inbound-west", "rep-w"): west}
    assert report.depth_by_segment["mid-market"] == west
    assert report.targets["mid-market"].follow_up_attempts == 6
    assert report.targets["enterprise-demo"].target_seconds == 15 * 60


def test_a_correction_withdraws_the_outcome_it_names(outcomes):
    breach = next(o for o in outcomes if o.outcome_id == "C/1/breached")
    correction = breach.model_copy(update=dict(kind="corrected", outcome_id="C/1/corrected/1",
                                               corrects="C/1/breached", at=ny(10, 30, 13)))
    report = build_report([*outcomes, correction], POLICY, Period(FIRST_DAY, LAST_DAY, "America/New_York"))
    east = report.by_team["inbound-east"]
    assert (east.leads_decided, east.breached) == (2, 0)
    assert [b.lead_id for b in report.breaches] == ["D"]
    assert [(c.lead_id, c.withdrawn, c.withdrawn_kind) for c in report.corrections] == [
        ("C", "C/1/breached", "breached")]


def test_rejected_records_are_counted_by_reason_code(outcomes):
    rejected = [(3, "invalid_field: occurred_at: …"), (9, "malformed_json: …"), (12, "invalid_field: lead_id: …")]
    report = build_report(outcomes, POLICY, Period(FIRST_DAY, LAST_DAY, "America/New_York"), rejected)
    assert report.rejected_by_code == {"invalid_field": 2, "malformed_json": 1}
    assert report.rejected[0] == ("3", "invalid_field: occurred_at: …")


def test_percentiles_are_nearest_rank_and_the_median_the_middle():
    assert nearest_rank(list(range(1, 11)), 0.9) == 9
    assert nearest_rank(list(range(1, 12)), 0.9) == 10
    assert nearest_rank([5.0], 0.9) == 5.0
    figures = spread([4.0, 1.0, 3.0, 2.0])
    assert (figures.average, figures.median, figures.p90) == (2.5, 2.5, 4.0)
    assert spread([]).median is None
