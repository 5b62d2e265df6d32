"""Marketing's side of the agreement: the monthly lead goal and its daily waterfall.

    g = sales quota x marketing share / average deal size / lead-to-customer close rate

is the number of marketing-generated leads a segment needs in a month; in value
(pipeline) terms it is ``g x average deal size``. The goal line of the waterfall is
g/n per day over the month's n days, cumulative: by the end of day d of the month
marketing owes g x d / n leads. Today's whole allotment counts from the start of the
day, so the line steps up at local midnight, like the daily bars of a waterfall.

Goals are set per **goal group** (the policy's ``goals.groups``): marketing leads selected on
their attributes or on the policy segment they fall in, each with inputs typed into the
policy or learned from the closed loop (models.closed_loop). A policy with only the older
``marketing_goals`` has one group per segment, with its inputs as typed (its leads: those whose
own ``segment`` is the goal's, or the policy segment of that name's; models.goal_groups).

Pure: the month is taken in a time zone the caller passes (the policy's default
calendar's), and "now" is always a parameter.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Mapping
from zoneinfo import ZoneInfo

from models.goal_groups import MARKETING, POLICY_SEGMENT, legacy_selection
from models.policy import FixedInputs, GoalGroup, MarketingGoal, Policy


def goal_leads(quota: float, share: float | None, deal_size: float | None, close_rate: float | None) -> float | None:
    """quota x share / deal size / close rate; None when an input is unknown or zero (no finite goal)."""
    if share is None or not deal_size or not close_rate:
        return None
    return quota * share / deal_size / close_rate


def monthly_goal(goal: MarketingGoal) -> float:
    """Leads marketing must generate per month for the segment."""
    return goal_leads(goal.monthly_quota, goal.marketing_share, goal.average_deal_size, goal.close_rate)


def monthly_value_goal(goal: MarketingGoal) -> float:
    """The same goal in value: pipeline that, at the close rate, closes the marketing share of quota."""
    return monthly_goal(goal) * goal.average_deal_size


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def goal_to_date(goal: MarketingGoal, day: date) -> float:
    """Cumulative goal through the end of ``day`` (a local date): g x day-of-month / n."""
    return monthly_goal(goal) * day.day / days_in_month(day)


def value_goal_to_date(goal: MarketingGoal, day: date) -> float:
    return monthly_value_goal(goal) * day.day / days_in_month(day)


def goal_line(goal: MarketingGoal, year: int, month: int) -> list[tuple[date, float]]:
    """The waterfall's goal line: (day, cumulative goal) for every day of the month."""
    first = date(year, month, 1)
    return [(date(year, month, d), goal_to_date(goal, date(year, month, d)))
            for d in range(1, days_in_month(first) + 1)]


@dataclass(frozen=True)
class MonthToDate:
    """The current month in a time zone, up to the end of today (local dates)."""

    start: datetime  # local midnight of the 1st, timezone-aware
    end: datetime  # local midnight after today (exclusive)
    today: date

    def contains(self, moment: datetime) -> bool:
        """True for moments from the month's start up to the end of ``now``'s day."""
        return self.start <= moment < self.end


def month_to_date(now: datetime, zone: ZoneInfo) -> MonthToDate:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(zone)
    start = datetime(local.year, local.month, 1, tzinfo=zone)
    tomorrow = local.date() + timedelta(days=1)
    end = datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=zone)
    return MonthToDate(start=start, end=end, today=local.date())


def goal_groups(policy: Policy) -> tuple[GoalGroup, ...]:
    """The policy's goal groups; without a ``goals`` section, one per ``marketing_goals`` segment."""
    if policy.goals is not None:
        return policy.goals.groups
    return tuple(GoalGroup(name=goal.segment, select=legacy_selection(policy, goal.segment),
                           monthly_quota=goal.monthly_quota,
                           inputs=FixedInputs(marketing_share=goal.marketing_share, close_rate=goal.close_rate,
                                              average_deal_size=goal.average_deal_size))
                 for goal in policy.marketing_goals)


def total_quota(policy: Policy) -> float | None:
    """The month's sales quota: ``goals.monthly_quota``, else the sum of the ``marketing_goals`` quotas."""
    if policy.goals is not None:
        return policy.goals.monthly_quota
    return sum(goal.monthly_quota for goal in policy.marketing_goals) or None


def group_quota(policy: Policy, group: GoalGroup) -> float | None:
    return group.monthly_quota or total_quota(policy)


def selects(policy: Policy, group: GoalGroup, attributes: Mapping[str, str | None]) -> bool:
    """Whether a lead, by the attributes of its conversion, counts towards the group."""
    if attributes.get("source") != MARKETING:
        return False
    for key in group.select:
        if key == POLICY_SEGMENT:
            segment = policy.segment_for(dict(attributes))
            value = segment.name if segment else None
        else:
            value = attributes.get(key)
        if value not in group.wanted(key):
            return False
    return True
