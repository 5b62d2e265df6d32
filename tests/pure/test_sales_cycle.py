"""``sales_cycle_months: auto``: the closed loop's sales cycle computed from the won deals.

Every expected number is worked out by hand in the comments, not by the code under test.
The goal month is March 2027 (Paris); the deals looked at closed from March 2026 to February 2027.
"""

from __future__ import annotations

from datetime import date, timedelta, timezone

import pytest

from models.closed_loop import Month
from models.goal_report import closed_loop_book, closed_loop_window, goal_report
from models.loop_ledger import live_window
from models.policy_file import PolicyError, parse_policy
from models.report import Period
from models.report_marketing import MarketingBook
from models.sales_cycle import months_of, sales_cycle
from tests.pure.test_closed_loop import POLICY, deal, lead, paris
from tests.pure.test_live_marketing import loops_of

MARCH = Month(2027, 3)
AUTO_POLICY = parse_policy(POLICY_TEXT := """\
version: 1
default_calendar: office
calendars:
  office: {timezone: Europe/Paris, hours: {mon: ["09:00-17:00"]}}
segments:
  - name: all
    speed_to_lead: {target: 1h}
goals:
  monthly_quota: 5000
  closed_loop:
    window_months: 6
    sales_cycle_months: auto
""")


def cycle_of(events, target: Month = MARCH, policy=AUTO_POLICY):
    book = closed_loop_book(policy, target)
    for event in events:
        book.add(event)
    return sales_cycle("auto", book, target, 24)


# Two won deals from marketing leads: 30 days and 90 days from conversion (all in winter time, so
# days are 24 hours): mean 60 days, 60 / 30.4375 = 1.97 months: 2. Around them, what must not count:
COUNTED = [lead("a", paris(2026, 11, 1)), deal("A", "a", paris(2026, 12, 1), 100),
           lead("b", paris(2026, 11, 1)), deal("B", "b", paris(2027, 1, 30), 100)]
PASSED_OVER = [
    lead("lost", paris(2026, 5, 1)), deal("L", "lost", paris(2026, 12, 1), 100, status="lost"),
    lead("sales", paris(2025, 1, 1), source="sales"), deal("S", "sales", paris(2026, 12, 1), 100),
    lead("old", paris(2024, 1, 1)), deal("O", "old", paris(2026, 2, 28), 100),  # closed 13 months before
    lead("late", paris(2026, 1, 1)), deal("T", "late", paris(2027, 3, 1, 0, 0), 100),  # in the goal's month
    lead("after", paris(2026, 12, 1)), deal("X", "after", paris(2026, 11, 1), 100),  # before its conversion
    deal("N", "no-conversion", paris(2026, 12, 1), 100),
]


def test_the_mean_over_won_deals_of_marketing_leads_closed_in_the_12_months_before():
    cycle = cycle_of(PASSED_OVER + COUNTED)
    assert (cycle.months, cycle.computed_from_deals, cycle.mean_days) == (2, 2, 60)
    assert (str(cycle.since), cycle.fallback) == ("2026-03", False)
    assert cycle.as_json() == {"months": 2, "setting": "auto", "computed_from_deals": 2, "mean_days": 60,
                               "deals_closed_from": "2026-03", "fallback": False}


def test_the_first_day_of_the_twelve_months_counts_and_the_goal_months_first_moment_does_not():
    # Closed at midnight on 1 March 2026, Paris: inside; 45 days from conversion: 1.48 months, 1.
    inside = [lead("e", paris(2026, 1, 15, 0, 0)), deal("E", "e", paris(2026, 3, 1, 0, 0), 100)]
    assert cycle_of(inside).months == 1
    # A minute before: outside, so no deal, the default.
    outside = [lead("e", paris(2026, 1, 15, 0, 0)), deal("E", "e", paris(2026, 2, 28, 23, 59), 100)]
    assert cycle_of(outside).fallback


@pytest.mark.parametrize("days, months", [
    (45.65625, 2),  # exactly 1.5 mean months (30.4375 days each): half rounds up
    (45.65, 1),  # just under 1.5
    (15.21875, 1),  # exactly 0.5
    (15.2, 0),
    (0, 0),
    (1_000, 24),  # 32.9 months: at most the policy's maximum
])
def test_rounding_half_up_to_whole_months_within_0_and_the_maximum(days, months):
    assert months_of(days, 24) == months
    closed = paris(2026, 12, 1, 0, 0).astimezone(timezone.utc)
    converted = closed - timedelta(days=days)  # in UTC: elapsed time, whatever the clock change between
    assert cycle_of([lead("a", converted), deal("A", "a", closed, 10)]).months == months


def test_no_won_deal_falls_back_to_the_default_three_months_and_says_so():
    cycle = cycle_of([lead("a", paris(2026, 10, 1)), deal("A", "a", paris(2026, 11, 1), 100, status="lost")])
    assert (cycle.months, cycle.computed_from_deals, cycle.mean_days, cycle.fallback) == (3, 0, None, True)
    assert "no won deal from a marketing lead closed from 2026-03 on; the default 3" in cycle.describe()


def test_a_number_is_used_as_it_is():
    cycle = sales_cycle(5, _book(COUNTED), MARCH, 24)
    assert (cycle.months, cycle.as_json()) == (5, {"months": 5, "setting": 5})


# --- the goal report and the period report use it -----------------------------------------------
# COUNTED's leads and deals, and a December lead that never closes. With the computed 2-month cycle
# the window is July to December 2026:
#   November: a and b converted, both won 100 -> close rate 1, deal size 100; no revenue closed: no share
#   December: d converted, no deal -> close rate 0; A (100, marketing) closed: share 1
# close rate (1 + 0) / 2 = 0.5, deal size 100, share 1: 5000 x 1 / 100 / 0.5 = 100 leads.
# With a fixed 3 months the window is June to November: no revenue closed in it, no share: no goal.
WITH_DECEMBER = COUNTED + [lead("d", paris(2026, 12, 5))]


def test_the_goal_reports_window_follows_the_computed_cycle():
    report = goal_report(AUTO_POLICY, _book(WITH_DECEMBER), MARCH, closed_loop_window(AUTO_POLICY)).as_json()
    assert (report["sales_cycle_months"], report["window"][0], report["window"][-1]) == (2, "2026-07", "2026-12")
    assert report["sales_cycle"]["computed_from_deals"] == 2
    assert report["total"]["goal_leads"] == pytest.approx(100)
    # The flag wins over the policy: a fixed 3 ends the window in November.
    fixed = goal_report(AUTO_POLICY, _book(WITH_DECEMBER), MARCH,
                        closed_loop_window(AUTO_POLICY, sales_cycle_months=3))
    assert (fixed.sales_cycle.as_json(), str(fixed.window[-1])) == ({"months": 3, "setting": 3}, "2026-11")
    assert fixed.total.goal_leads is None


def test_the_period_reports_marketing_goal_is_computed_with_the_same_cycle():
    book = MarketingBook(AUTO_POLICY, Period(date(2027, 3, 1), date(2027, 3, 31), "Europe/Paris"))
    for event in WITH_DECEMBER:
        book.add(event)
    total = [g for g in book.finish().groups if g.group == "total"][0]
    assert total.month_goal_leads == pytest.approx(100)


def _book(events, target: Month = MARCH, policy=AUTO_POLICY):
    book = closed_loop_book(policy, target)
    for event in events:
        book.add(event)
    return book


# --- the policy and the live worker --------------------------------------------------------------


def test_the_policy_takes_auto():
    assert AUTO_POLICY.goals.closed_loop.sales_cycle_months == "auto"
    assert POLICY.goals.closed_loop.sales_cycle_months == 1


@pytest.mark.parametrize("value", ["often", "25", "-1", "1.5", "true", "Auto"])
def test_a_bad_cycle_is_refused_naming_file_line_and_field(value):
    text = POLICY_TEXT.replace("sales_cycle_months: auto", f"sales_cycle_months: {value}")
    with pytest.raises(PolicyError) as refused:
        parse_policy(text, "p.yaml")
    assert str(refused.value).startswith(
        "p.yaml:12: goals.closed_loop.sales_cycle_months: must be a whole number of months from 0 to 24, or auto")


def test_the_live_worker_computes_the_cycle_from_its_loops_as_leadsla_goals_does():
    """The worker's window for March (its watermark's month) follows the cycle computed from the deals
    it has folded: July to December, with the figures `leadsla goals --month 2027-03` gives."""
    report = goal_report(AUTO_POLICY, _book(WITH_DECEMBER), MARCH, closed_loop_window(AUTO_POLICY))
    live = live_window(loops_of(WITH_DECEMBER), AUTO_POLICY, date(2027, 3, 2))
    assert live.cycle == report.sales_cycle
    assert (live.cycle.months, live.cycle.computed_from_deals, live.cycle.mean_days) == (2, 2, 60)
    assert [str(m.month) for m in live.figures["total"]] == ["2026-07", "2026-08", "2026-09", "2026-10",
                                                             "2026-11", "2026-12"]
    assert live.figures == {g.name: list(g.months) for g in report.groups + (report.total,)}
    assert live_window([], AUTO_POLICY, None).cycle is None  # no watermark yet: no month, no cycle


def test_workers_holding_different_deals_can_compute_different_cycles():
    """Why the generated rules learn only while every worker uses one cycle (alerts.marketing_rules):
    a worker with lead a alone sees 30 days (1 month), one with lead b alone 90 days (3 months); all
    deals give 60 days, 2 months. Had both said 2, so would all deals: the mean of all lies between."""
    a, b = COUNTED[:2], COUNTED[2:]
    cycles = [live_window(loops_of(part), AUTO_POLICY, date(2027, 3, 2)).cycle.months for part in (a, b, COUNTED)]
    assert cycles == [1, 3, 2]
