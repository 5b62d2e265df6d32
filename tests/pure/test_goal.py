"""The marketing lead goal: the monthly number and its cumulative daily waterfall line."""

from __future__ import annotations

from datetime import date, datetime, timezone
from importlib.resources import files
from zoneinfo import ZoneInfo

import pytest

from models.goal import (days_in_month, goal_line, goal_to_date, month_to_date, monthly_goal, monthly_value_goal,
                         value_goal_to_date)
from models.policy import MarketingGoal
from models.policy_file import parse_policy

NEW_YORK = ZoneInfo("America/New_York")
# 1.2M quota, 50% from marketing, 10k deals, 1 in 10 leads closes: 600k / 10k = 60 deals = 600 leads.
GOAL = MarketingGoal(segment="mid-market", monthly_quota=1_200_000, marketing_share=0.5,
                     average_deal_size=10_000, close_rate=0.1)


def test_monthly_goal_is_quota_times_share_over_deal_size_over_close_rate():
    assert monthly_goal(GOAL) == pytest.approx(600)
    assert monthly_value_goal(GOAL) == pytest.approx(6_000_000)  # 600 leads worth a 10k deal each


def test_the_shipped_policy_asks_marketing_for_these_monthly_leads():
    policy = parse_policy(files("models").joinpath("example_policy.yaml").read_text(), "example_policy.yaml")
    goals = {g.segment: round(monthly_goal(g), 1) for g in policy.marketing_goals}
    assert goals == {"enterprise": 300.0, "mid-market": 500.0, "smb": 1166.7}


def test_goal_line_adds_g_over_n_per_day_and_reaches_g_on_the_last_day():
    line = goal_line(GOAL, 2026, 4)  # April: 30 days, 20 leads a day
    assert len(line) == 30 == days_in_month(date(2026, 4, 1))
    assert line[0] == (date(2026, 4, 1), pytest.approx(20))
    assert line[14] == (date(2026, 4, 15), pytest.approx(300))
    assert line[-1] == (date(2026, 4, 30), pytest.approx(600))


def test_goal_to_date_depends_on_the_length_of_the_month():
    assert goal_to_date(GOAL, date(2026, 2, 14)) == pytest.approx(300)  # 28 days: half way on the 14th
    assert goal_to_date(GOAL, date(2028, 2, 14)) == pytest.approx(600 * 14 / 29)  # leap year
    assert value_goal_to_date(GOAL, date(2026, 2, 14)) == pytest.approx(3_000_000)


def test_the_month_follows_the_time_zone_not_utc():
    # 1 May 02:00 UTC is still 30 April in New York: April's goal, nearly complete.
    now = datetime(2026, 5, 1, 2, 0, tzinfo=timezone.utc)
    mtd = month_to_date(now, NEW_YORK)
    assert mtd.today == date(2026, 4, 30)
    assert mtd.start == datetime(2026, 4, 1, tzinfo=NEW_YORK)
    assert goal_to_date(GOAL, mtd.today) == pytest.approx(600)


def test_month_to_date_counts_conversions_from_local_midnight_of_the_first_to_today():
    mtd = month_to_date(datetime(2026, 4, 10, 15, 0, tzinfo=timezone.utc), NEW_YORK)
    assert mtd.contains(datetime(2026, 4, 1, 4, 0, tzinfo=timezone.utc))  # 00:00 in New York
    assert not mtd.contains(datetime(2026, 4, 1, 3, 59, tzinfo=timezone.utc))  # still March there
    assert mtd.contains(datetime(2026, 4, 10, 23, 0, tzinfo=timezone.utc))  # later today
    assert not mtd.contains(datetime(2026, 4, 11, 12, 0, tzinfo=timezone.utc))


def test_now_must_carry_a_time_zone():
    with pytest.raises(ValueError, match="timezone-aware"):
        month_to_date(datetime(2026, 4, 10, 15, 0), NEW_YORK)
