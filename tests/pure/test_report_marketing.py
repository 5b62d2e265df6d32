"""The report's marketing waterfall against figures worked out by hand: a period (Fri 30 Oct to
Tue 3 Nov 2026, New York) that crosses a month end and the end of daylight saving time, a
goal group with typed inputs, and one learned from the closed loop, whose goal is unknown
in October (no deal had closed yet) and known in November (deals closed in October)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from models.events import DealClosed, LeadConverted
from models.policy_file import parse_policy
from models.report import Period
from models.report_marketing import MarketingBook, period_months

NEW_YORK = ZoneInfo("America/New_York")
EST, EDT = timezone(timedelta(hours=-5)), timezone(timedelta(hours=-4))
WEEKDAYS = "\n".join(f'      {d}: ["09:00-17:00"]' for d in ("mon", "tue", "wed", "thu", "fri"))
POLICY = parse_policy(f"""
version: 1
default_calendar: ny
calendars:
  ny:
    timezone: America/New_York
    hours:
{WEEKDAYS}
segments:
  - name: mid-market
    match: {{source: marketing, segment: mid-market}}
    speed_to_lead: {{target: 1h}}
  - name: default
    speed_to_lead: {{target: 8h}}
goals:
  monthly_quota: 100000
  closed_loop: {{window_months: 6, sales_cycle_months: 0}}
  groups:
    - name: typed
      select: {{segment: mid-market}}
      inputs: {{marketing_share: 0.5, average_deal_size: 10000, close_rate: 0.1}}
    - name: learned
      select: {{segment: mid-market}}
      mode: value
""", "marketing.yaml")
PERIOD = Period(date(2026, 10, 30), date(2026, 11, 3), "America/New_York")


def conversion(lead: str, at: datetime, source: str = "marketing") -> LeadConverted:
    return LeadConverted(schema_version=1, event_id=f"c-{lead}-{at.isoformat()}", lead_id=lead, occurred_at=at,
                         source=source, segment="mid-market")


def deal(lead: str, at: datetime, status: str, amount: float) -> DealClosed:
    return DealClosed(schema_version=1, event_id=f"d-{lead}", deal_id=f"D-{lead}", lead_id=lead, occurred_at=at,
                      status=status, amount=amount)


EVENTS = [
    # September: two marketing leads (S1 won 20,000 in October, S2 lost) and a sales lead X (won 30,000).
    conversion("S1", datetime(2026, 9, 10, 10, tzinfo=EDT)), conversion("S2", datetime(2026, 9, 12, 10, tzinfo=EDT)),
    conversion("X", datetime(2026, 9, 5, 10, tzinfo=EDT), source="sales"),
    deal("S1", datetime(2026, 10, 15, 12, tzinfo=EDT), "won", 20000),
    deal("S2", datetime(2026, 10, 20, 12, tzinfo=EDT), "lost", 0),
    deal("X", datetime(2026, 10, 10, 12, tzinfo=EDT), "won", 30000),
    # October: M1 on the 5th; M2 at 23:30 EDT on the 31st (already 1 Nov in UTC); M3 a sales lead;
    # S1 converts again (its first conversion, in September, gives its month).
    conversion("M1", datetime(2026, 10, 5, 10, tzinfo=EDT)),
    conversion("M2", datetime(2026, 10, 31, 23, 30, tzinfo=EDT)),
    conversion("M3", datetime(2026, 10, 31, 12, tzinfo=EDT), source="sales"),
    conversion("S1", datetime(2026, 10, 20, 9, tzinfo=EDT)),
    # 1 Nov: 01:30 happens twice (EDT, then EST after the clocks go back): both on the 1st.
    conversion("N1", datetime(2026, 11, 1, 1, 30, tzinfo=EDT)),
    conversion("N2", datetime(2026, 11, 1, 1, 30, tzinfo=EST)),
    conversion("N3", datetime(2026, 11, 3, 9, tzinfo=EST)),
]


@pytest.fixture(scope="module")
def marketing():
    book = MarketingBook(POLICY, PERIOD)
    for event in EVENTS:
        book.add(event)
    return {(g.group, g.month): g for g in book.finish().groups}


def test_the_period_touches_two_months():
    assert [str(m) for m in period_months(PERIOD)] == ["2026-10", "2026-11"]


def test_october_with_typed_inputs(marketing):
    october = marketing[("typed", "2026-10")]
    # goal = 100,000 x 0.5 / 10,000 / 0.1 = 50 leads; value 50,000; a lead is worth 0.1 x 10,000.
    assert (october.month_goal_leads, october.month_goal_value, october.lead_value) == (50, 50000, 1000)
    expected = [0] * 4 + [1] * 26 + [2]  # M1 from the 5th, M2 on the 31st
    assert [d.leads for d in october.days] == expected
    assert [d.goal_leads for d in october.days] == pytest.approx([50 * n / 31 for n in range(1, 32)])
    assert october.days[-1].value == 2000 and october.days[-1].goal_value == pytest.approx(50000)
    assert (october.through, october.attainment) == (date(2026, 10, 31), pytest.approx(2 / 50))


def test_november_stops_at_the_period_end(marketing):
    november = marketing[("typed", "2026-11")]
    assert [(d.day, d.leads) for d in november.days] == [
        (date(2026, 11, 1), 2), (date(2026, 11, 2), 2), (date(2026, 11, 3), 3)]
    assert november.days[-1].goal_leads == pytest.approx(50 * 3 / 30)
    assert november.attainment == pytest.approx(3 / 5) and november.value_attainment == pytest.approx(3000 / 5000)


def test_the_closed_loop_goal_is_the_one_known_as_each_month_started(marketing):
    october = marketing[("learned", "2026-10")]
    assert (october.month_goal_leads, october.month_goal_value, october.attainment) == (None, None, None)
    assert october.days[-1].leads == 2 and october.days[-1].value is None  # no lead value known yet
    november = marketing[("learned", "2026-11")]
    # Window May-Oct. Sep: 2 leads, 1 customer (close rate 0.5, deal 20,000). Oct: 2 leads, none
    # won (0). Share: in Oct 20,000 of 30,000 + 20,000 won came from the group. Means: close rate
    # 0.25, deal size 20,000, share 0.4: goal 100,000 x 0.4 / 20,000 / 0.25 = 8, value 40,000.
    assert november.month_goal_leads == pytest.approx(8) and november.month_goal_value == pytest.approx(40000)
    assert november.lead_value == pytest.approx(5000)
    assert november.days[-1].value == pytest.approx(3 * 5000)
    assert november.days[-1].goal_value == pytest.approx(40000 * 3 / 30)
    assert november.value_attainment == pytest.approx(15000 / 4000)


def test_the_total_counts_every_marketing_lead(marketing):
    assert marketing[("total", "2026-10")].days[-1].leads == 2
    assert marketing[("total", "2026-11")].days[-1].leads == 3


def test_no_goal_in_the_policy_means_no_marketing_section():
    bare = POLICY.model_copy(update={"goals": None, "marketing_goals": ()})
    assert MarketingBook(bare, PERIOD).finish() is None


def test_under_a_policy_history_each_month_has_the_goal_in_force_as_it_started():
    doubled = POLICY.model_copy(update={"goals": POLICY.goals.model_copy(update={"monthly_quota": 200000})})
    book = MarketingBook(POLICY, PERIOD, policy_of_month=lambda month: POLICY if month.month == 10 else doubled)
    for event in EVENTS:
        book.add(event)
    goals = {(g.group, g.month): g.month_goal_leads for g in book.finish().groups}
    assert (goals[("typed", "2026-10")], goals[("typed", "2026-11")]) == (50, 100)
