"""Marketing's side of a period's report: per goal group and month, the waterfall and attainment.

For each month the period touches and each goal group (and the total of every marketing
lead), the month's goal comes from the closed loop as ``leadsla goals`` computes it
(models.goal_report: only deals closed before the month count). The waterfall is then, for
each day d of the month up to the period's last day:

    actual(d)     the group's marketing leads first converted from the 1st through day d
    goal(d)       goal leads x d / n  (n: the month's days), the cumulative g/n line
    value(d)      what those leads are worth, each its own value: its type's in the group's
                  ``lead_values``, else the group's ``lead_value``, else close rate x deal size
                  (models.lead_values; without a table, actual(d) x the lead value)
    goal value(d) goal value x d / n  (goal value = quota x marketing share)

Attainment is actual against goal to date at the last day shown, in count and in value; a
goal the closed loop cannot give is None (unknown), never 0. Days are local dates of the
policy's reporting time zone, so a month ends at its local midnight.

Pure: the caller feeds the conversions and deals read up to the period's end.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Callable

from models.closed_loop import ClosedLoopBook, Month
from models.events import DealClosed, LeadConverted
from models.goal import goal_groups, selects, total_quota
from models.goal_report import TOTAL, GroupGoal, closed_loop_window, goal_report, goal_zone
from models.lead_values import Worth
from models.sales_cycle import SalesCycle
from models.policy import GoalGroup, Policy
from models.report import Period


@dataclass(frozen=True)
class WaterfallDay:
    day: date
    leads: int  # cumulative from the 1st
    goal_leads: float | None  # cumulative goal line
    value: float | None
    goal_value: float | None


@dataclass(frozen=True)
class GroupMonth:
    group: str
    mode: str  # count or value: what the group's goal is followed in
    month: str  # YYYY-MM
    through: date  # the last day shown: the month's last, or the period's
    month_goal_leads: float | None
    month_goal_value: float | None
    lead_value: float | None
    days: tuple[WaterfallDay, ...]
    sales_cycle: SalesCycle | None = None  # the cycle the month's goal was learned with (as `leadsla goals`)
    lead_values: dict[str, dict[str, float]] | None = None  # the group's value per type of lead, if it has them

    @property
    def last(self) -> WaterfallDay:
        return self.days[-1]

    @property
    def attainment(self) -> float | None:
        """Actual leads against the goal line to date."""
        return _ratio(self.last.leads, self.last.goal_leads)

    @property
    def in_value(self) -> bool:
        """Followed in value: a value-mode group whose leads the policy can price."""
        return self.mode == "value" and self.last.value is not None

    @property
    def value_attainment(self) -> float | None:
        return _ratio(self.last.value, self.last.goal_value)


@dataclass(frozen=True)
class Marketing:
    months: tuple[str, ...]
    groups: tuple[GroupMonth, ...]  # per month, the policy's groups then the total


class MarketingBook:
    """The conversions and deals a period's marketing figures need, folded as they are read."""

    def __init__(self, policy: Policy, period: Period,
                 policy_of_month: Callable[[Month], Policy] | None = None) -> None:
        """``policy_of_month``: under a policy history, the version in force as each month starts
        (as ``leadsla goals`` takes it); else ``policy`` for every month."""
        self.period = period
        self.months = period_months(period)
        self.policies = {m: policy_of_month(m) if policy_of_month else policy for m in self.months}
        leads: dict = {}  # shared: a lead's first conversion is the same whatever the month
        self.books = {m: _book(self.policies[m], m, leads) for m in self.months}

    def add(self, event: object) -> None:
        if isinstance(event, LeadConverted):
            self.books[self.months[0]].add(event)
        elif isinstance(event, DealClosed):
            for book in self.books.values():
                book.add(event)

    def finish(self) -> Marketing | None:
        """None when the policy sets no marketing goal."""
        found = []
        for month in self.months:
            policy, book = self.policies[month], self.books[month]
            if total_quota(policy) is None and not goal_groups(policy):
                continue
            groups = [*goal_groups(policy), GoalGroup(name=TOTAL, monthly_quota=total_quota(policy))]
            goals = goal_report(policy, book, month, closed_loop_window(policy))
            converted = _converted_in(book, month)
            for group, goal in zip(groups, (*goals.groups, goals.total)):
                found.append(self._waterfall(policy, month, group, goal, converted, goals.sales_cycle))
        return Marketing(tuple(str(m) for m in self.months), tuple(found)) if found else None

    def _waterfall(self, policy: Policy, month: Month, group: GoalGroup, goal: GroupGoal,
                   converted: list[tuple[date, dict]], cycle: SalesCycle) -> GroupMonth:
        days_in = calendar.monthrange(month.year, month.month)[1]
        through = min(date(month.year, month.month, days_in), self.period.last_day)
        per_day: list[list[dict]] = [[] for _ in range(through.day + 1)]
        for day, attributes in converted:
            if day <= through and selects(policy, group, attributes):
                per_day[day.day].append(attributes)
        days, total, worth = [], 0, Worth(group, goal.lead_value)
        for number in range(1, through.day + 1):
            total += len(per_day[number])
            for attributes in per_day[number]:
                worth.add(attributes)
            days.append(WaterfallDay(
                date(month.year, month.month, number), total, _share_of(goal.goal_leads, number, days_in),
                worth.total, _share_of(goal.goal_value, number, days_in)))
        return GroupMonth(group.name, goal.mode, str(month), through, goal.goal_leads, goal.goal_value,
                          goal.lead_value, tuple(days), cycle, goal.lead_values)


def _book(policy: Policy, month: Month, leads: dict) -> ClosedLoopBook:
    zone = goal_zone(policy)
    return ClosedLoopBook(zone=zone, closed_before=month.start(zone), leads=leads)


def period_months(period: Period) -> list[Month]:
    first = Month(period.first_day.year, period.first_day.month)
    last = Month(period.last_day.year, period.last_day.month)
    months = [first]
    while months[-1] < last:
        months.append(months[-1].plus(1))
    return months


def _converted_in(book: ClosedLoopBook, month: Month) -> list[tuple[date, dict]]:
    """(local day, attributes) of each lead first converted in ``month``."""
    found = []
    for converted_at, attributes in book.leads.values():
        local = converted_at.astimezone(book.zone).date()
        if (local.year, local.month) == (month.year, month.month):
            found.append((local, attributes))
    return found


def _share_of(goal: float | None, day: int, days_in: int) -> float | None:
    return None if goal is None else goal * day / days_in


def _ratio(actual: float | None, goal: float | None) -> float | None:
    return None if actual is None or not goal else actual / goal

