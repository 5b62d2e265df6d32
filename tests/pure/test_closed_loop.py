"""The closed loop: a goal month's window, its monthly figures and the goal, checked on hand-built months.

Every expected number below is worked out by hand in the comments, not by the code under test.
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from models.closed_loop import Month, window
from models.events import DealClosed, LeadConverted
from models.goal_report import closed_loop_book, closed_loop_window, goal_report
from models.policy_file import parse_policy

PARIS = ZoneInfo("Europe/Paris")
POLICY = parse_policy("""\
version: 1
default_calendar: office
calendars:
  office: {timezone: Europe/Paris, hours: {mon: ["09:00-17:00"]}}
segments:
  - name: all
    speed_to_lead: {target: 1h}
goals:
  monthly_quota: 5000
  closed_loop: {window_months: 6, sales_cycle_months: 1}
  known_values: {segment: [enterprise, smb]}
  groups:
    - name: ent
      select: {segment: enterprise}
    - name: smb-typed
      select: {segment: smb}
      monthly_quota: 1000
      inputs: {marketing_share: 0.5, average_deal_size: 50, close_rate: 0.25}
""")


def paris(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def lead(lead_id: str, at: datetime, segment: str = "enterprise", source: str = "marketing") -> LeadConverted:
    return LeadConverted(schema_version=1, event_id=f"c-{lead_id}-{at.isoformat()}", lead_id=lead_id,
                         occurred_at=at, source=source, segment=segment)


def deal(deal_id: str, lead_id: str, at: datetime, amount: float, status: str = "won") -> DealClosed:
    return DealClosed(schema_version=1, event_id=f"d-{deal_id}-{at.isoformat()}", deal_id=deal_id,
                      lead_id=lead_id, occurred_at=at, status=status, amount=amount)


def report_for(target: str, events, policy=POLICY, **window_overrides):
    month = Month.parse(target)
    book = closed_loop_book(policy, month)
    for event in events:
        book.add(event)
    return goal_report(policy, book, month, closed_loop_window(policy, **window_overrides)).as_json()


# --- the window ----------------------------------------------------------------------------------


def test_march_with_a_three_month_cycle_learns_from_june_to_november_of_the_year_before():
    assert [str(m) for m in window(Month(2027, 3), 6, 3)] == [
        "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]


def test_a_window_crossing_the_year_end():
    assert [str(m) for m in window(Month(2027, 4), 6, 1)] == [
        "2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"]
    assert [str(m) for m in window(Month(2027, 1), 12, 0)] == [f"2026-{m:02d}" for m in range(1, 13)]


@pytest.mark.parametrize("text", ["2027-13", "2027-3", "27-03", "2027-03-01", "march"])
def test_a_month_is_written_yyyy_mm(text):
    with pytest.raises(ValueError, match="write YYYY-MM"):
        Month.parse(text)


# --- the method's own example --------------------------------------------------------------------


def test_quota_5000_deals_of_100_half_of_the_leads_closing_makes_100_leads():
    events = []
    for month in range(6, 12):  # June..November 2026, the window of March 2027 with a 3-month cycle
        events += [lead(f"a{month}", paris(2026, month, 3)), lead(f"b{month}", paris(2026, month, 4)),
                   deal(f"D{month}", f"a{month}", paris(2026, month, 20), 100)]
    report = report_for("2027-03", events, sales_cycle_months=3)
    total = report["total"]
    assert (report["month"], report["sales_cycle_months"], report["window"][0]) == ("2027-03", 3, "2026-06")
    assert (total["leads"], total["customers"], total["close_rate"], total["average_deal_size"],
            total["marketing_share"]) == (2, 1, 0.5, 100, 1)
    assert total["goal_leads"] == pytest.approx(100)
    assert total["goal_value"] == pytest.approx(5000)
    assert total["lead_value"] == pytest.approx(50)  # half of the leads bring a deal of 100


# --- hand-built months ---------------------------------------------------------------------------

# April 2027, 1-month cycle, 6 months: September 2026 to February 2027 (across the year end).
MONTHS = [
    # September: 4 enterprise leads, 2 of them win (100 and 300, closed in October): rate 1/2, size 200.
    lead("s1", paris(2026, 9, 2)), lead("s2", paris(2026, 9, 3)), lead("s3", paris(2026, 9, 4)),
    lead("s4", paris(2026, 9, 30, 23, 30)),  # 21:30 UTC: still September in Paris
    deal("D-s1", "s1", paris(2026, 10, 5), 100), deal("D-s2", "s2", paris(2026, 10, 6), 300),
    # October: 2 leads, none wins (o1's deal was won, then reopened and lost): rate 0, no deal size.
    lead("o1", datetime(2026, 9, 30, 22, 30, tzinfo=timezone.utc)),  # 00:30 on 1 October in Paris
    lead("o2", paris(2026, 10, 9)),
    deal("D-o1", "o1", paris(2026, 11, 2), 700), deal("D-o1", "o1", paris(2026, 11, 9), 700, "lost"),
    # November: no enterprise lead: no close rate, left out of the mean (not a 0).
    # December: 5 leads; d1 wins two deals (50 and 150, closed in January), d2 loses one: rate 1/5, size 200.
    *(lead(f"d{n}", paris(2026, 12, n)) for n in range(1, 6)),
    deal("D-d1a", "d1", paris(2027, 1, 10), 50), deal("D-d1b", "d1", paris(2027, 1, 11), 150),
    deal("D-d2", "d2", paris(2027, 1, 12), 900, "lost"),
    # January: 1 lead, wins 400 (closed in February): rate 1, size 400.
    lead("j1", paris(2027, 1, 15)), deal("D-j1", "j1", paris(2027, 2, 1), 400),
    lead("d3", paris(2027, 1, 20)),  # d3 converting again: it stays December's lead
    # February: 2 leads; f1 wins, but only in April, after the goal month began: rate 0 as of 1 April.
    lead("f1", paris(2027, 2, 3)), lead("f2", paris(2027, 2, 4)),
    deal("D-f1", "f1", paris(2027, 4, 2), 1000),
    # Other revenue, in the denominator of the share only: an SMB marketing lead's 200 (October),
    # a sales-generated lead's 500 (January), a deal whose lead never converted in the log (100, December).
    lead("m1", paris(2026, 9, 10), segment="smb"), deal("D-m1", "m1", paris(2026, 10, 20), 200),
    lead("r1", paris(2026, 9, 11), source="sales"), deal("D-r1", "r1", paris(2027, 1, 20), 500),
    deal("D-x", "unknown-lead", paris(2026, 12, 15), 100),
]
# Enterprise close rates: Sep 1/2, Oct 0, Dec 1/5, Jan 1, Feb 0 (Nov undefined) -> mean 1.7 / 5 = 0.34.
# Deal sizes: Sep 200, Dec 200, Jan 400 (Oct, Nov, Feb undefined) -> mean 800 / 3.
# Shares of won revenue closed in the month: Sep none closed (undefined), Oct 400 / 600, Nov none,
# Dec 0 / 100, Jan 200 / 700, Feb 400 / 400 -> mean (2/3 + 0 + 2/7 + 1) / 4.
ENT_RATE, ENT_SIZE, ENT_SHARE = 0.34, 800 / 3, (2 / 3 + 0 + 2 / 7 + 1) / 4


def test_monthly_figures_follow_the_definitions():
    ent = report_for("2027-04", MONTHS)["groups"][0]
    assert ent["name"] == "ent" and ent["inputs"] == "closed_loop"
    by_month = {m["month"]: m for m in ent["months"]}
    assert [(m, by_month[m]["leads"], by_month[m]["customers"]) for m in by_month] == [
        ("2026-09", 4, 2), ("2026-10", 2, 0), ("2026-11", 0, 0), ("2026-12", 5, 1), ("2027-01", 1, 1),
        ("2027-02", 2, 0)]
    assert [by_month[m]["close_rate"] for m in by_month] == [0.5, 0, None, 0.2, 1, 0]
    assert [by_month[m]["average_deal_size"] for m in by_month] == [200, None, None, 200, 400, None]
    assert [by_month[m]["marketing_share"] for m in by_month] == pytest.approx([None, 2 / 3, None, 0, 2 / 7, 1])


def test_each_input_is_the_mean_over_the_months_where_it_is_defined():
    ent = report_for("2027-04", MONTHS)["groups"][0]
    assert ent["close_rate"] == pytest.approx(ENT_RATE)
    assert ent["average_deal_size"] == pytest.approx(ENT_SIZE)
    assert ent["marketing_share"] == pytest.approx(ENT_SHARE)
    assert ent["leads"] == pytest.approx(14 / 6) and ent["customers"] == pytest.approx(4 / 6)
    assert ent["goal_leads"] == pytest.approx(5000 * ENT_SHARE / ENT_SIZE / ENT_RATE)
    assert ent["goal_value"] == pytest.approx(5000 * ENT_SHARE)
    assert ent["lead_value"] == pytest.approx(ENT_RATE * ENT_SIZE)


def test_the_total_counts_every_marketing_lead_against_the_whole_quota():
    total = report_for("2027-04", MONTHS)["total"]
    september = total["months"][0]
    assert (september["leads"], september["customers"]) == (5, 3)  # the SMB lead (won) too; not the sales lead
    # October: 600 of 600 closed came from marketing leads (enterprise 400, SMB 200).
    assert total["months"][1]["marketing_share"] == 1
    assert total["quota"] == 5000


def test_typed_inputs_are_used_as_typed_against_the_groups_quota():
    typed = report_for("2027-04", MONTHS)["groups"][1]
    assert (typed["inputs"], typed["close_rate"], typed["average_deal_size"], typed["marketing_share"]) == (
        "fixed", 0.25, 50, 0.5)
    assert typed["goal_leads"] == pytest.approx(1000 * 0.5 / 50 / 0.25)  # 40
    assert typed["months"][0]["leads"] == 1  # the months are still shown


def test_a_window_without_a_won_deal_has_no_goal_rather_than_zero():
    ent = report_for("2027-04", [lead("s1", paris(2026, 9, 2))])["groups"][0]
    assert (ent["close_rate"], ent["average_deal_size"], ent["marketing_share"]) == (0, None, None)
    assert (ent["goal_leads"], ent["goal_value"], ent["lead_value"]) == (None, None, None)


def test_the_order_of_the_events_does_not_matter():
    assert report_for("2027-04", MONTHS) == report_for("2027-04", list(reversed(MONTHS)))


def test_value_mode_takes_the_lead_value_the_policy_sets():
    text = """\
version: 1
default_calendar: office
calendars:
  office: {timezone: Europe/Paris, hours: {mon: ["09:00-17:00"]}}
segments:
  - {name: all, speed_to_lead: {target: 1h}}
goals:
  monthly_quota: 5000
  known_values: {segment: [enterprise]}
  groups:
    - {name: demos, select: {segment: enterprise}, mode: value, lead_value: 100}
"""
    demos = report_for("2027-04", MONTHS, parse_policy(text), sales_cycle_months=1)["groups"][0]
    assert (demos["mode"], demos["lead_value"]) == ("value", 100)
    assert demos["goal_value"] == pytest.approx(5000 * ENT_SHARE)
