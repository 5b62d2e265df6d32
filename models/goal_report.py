"""A month's marketing goal per goal group and in total, as ``leadsla goals`` reports it.

For each group: the window's monthly figures (models.closed_loop), the inputs used
(learned from the window, or typed into the policy), what one lead is worth (its type's value
in the group's ``lead_values``, else the group's ``lead_value``, else close rate x deal size;
models.lead_values), what the window's leads were worth month by month (each lead's own value,
added up), and the goal:

    goal leads = quota x marketing share / average deal size / close rate
    goal value = quota x marketing share

The total covers every marketing-generated lead, against the month's whole quota, always
from the closed loop. A goal whose inputs the window cannot give (no deal won in it, say)
is None: reported as unknown, never as 0.

Pure: the caller gathers the events into a ClosedLoopBook.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Callable
from zoneinfo import ZoneInfo

from models.closed_loop import Attributes, ClosedLoopBook, LearnedInputs, Month, MonthFigures, learned_inputs, \
    mean_defined, month_figures, window
from models.goal import goal_groups, goal_leads, group_quota, selects, total_quota
from models.lead_values import summed_worth
from models.policy import ClosedLoopWindow, GoalGroup, Policy
from models.sales_cycle import SalesCycle, sales_cycle

TOTAL = "total"


@dataclass(frozen=True)
class GroupGoal:
    name: str
    mode: str  # count or value: the unit the group's goal is followed in
    inputs: str  # closed_loop or fixed
    quota: float | None
    months: tuple[MonthFigures, ...]
    used: LearnedInputs  # the inputs the goal is computed from
    lead_value: float | None  # with a lead_values table: the group's own lead_value (types it does not list)
    goal_leads: float | None
    goal_value: float | None
    lead_values: dict[str, dict[str, float]] | None = None  # the group's table: {attribute: {value: worth}}
    values: tuple[float | None, ...] = ()  # per window month: its leads' worth, each lead's own value added

    def as_json(self) -> dict:
        return {
            "name": self.name, "mode": self.mode, "inputs": self.inputs, "quota": self.quota,
            "leads": mean_defined(m.leads for m in self.months),
            "customers": mean_defined(m.customers for m in self.months),
            "close_rate": self.used.close_rate, "average_deal_size": self.used.average_deal_size,
            "marketing_share": self.used.marketing_share, "lead_value": self.lead_value,
            "lead_values": self.lead_values, "value": mean_defined(self.values),
            "goal_leads": self.goal_leads, "goal_value": self.goal_value,
            "months": [_month_json(m, v) for m, v in zip(self.months, self.values)],
        }


def _month_json(figures: MonthFigures, value: float | None) -> dict:
    return {
        "month": str(figures.month), "leads": figures.leads, "customers": figures.customers,
        "close_rate": figures.close_rate, "average_deal_size": figures.deal_size,
        "marketing_share": figures.marketing_share, "value": value,
        "won_revenue_of_customers": figures.customer_revenue,
        "won_revenue_closed_from_group": figures.group_revenue, "won_revenue_closed": figures.won_revenue,
    }


@dataclass(frozen=True)
class GoalReport:
    month: Month
    window: tuple[Month, ...]
    sales_cycle: SalesCycle
    groups: tuple[GroupGoal, ...]
    total: GroupGoal

    @property
    def sales_cycle_months(self) -> int:
        return self.sales_cycle.months

    def as_json(self) -> dict:
        return {"month": str(self.month), "window": [str(m) for m in self.window],
                "sales_cycle_months": self.sales_cycle_months, "sales_cycle": self.sales_cycle.as_json(),
                "groups": [g.as_json() for g in self.groups], "total": self.total.as_json()}


def goal_zone(policy: Policy) -> ZoneInfo:
    """Months are the business's: those of the default calendar's time zone."""
    return ZoneInfo(policy.calendars[policy.default_calendar].timezone)


def closed_loop_book(policy: Policy, target: Month) -> ClosedLoopBook:
    """An empty book for ``target``'s goal: deals count if closed before the month starts."""
    zone = goal_zone(policy)
    return ClosedLoopBook(zone=zone, closed_before=target.start(zone))


def closed_loop_window(policy: Policy, window_months: int | None = None,
                       sales_cycle_months: int | str | None = None) -> ClosedLoopWindow:
    """The policy's window (or the default one), with the caller's overrides; the cycle may be
    ``auto``, which goal_report resolves from the book (models.sales_cycle)."""
    base = policy.goals.closed_loop if policy.goals else ClosedLoopWindow()
    return ClosedLoopWindow(window_months=window_months or base.window_months,
                            sales_cycle_months=base.sales_cycle_months if sales_cycle_months is None
                            else sales_cycle_months)


def cycle_and_window(book: ClosedLoopBook, target: Month,
                     settings: ClosedLoopWindow) -> tuple[SalesCycle, tuple[Month, ...]]:
    """The sales cycle for ``target``'s goal (a number, or computed from the book's won deals) and the
    window it gives: what `leadsla goals`, the reports and the live worker all learn from."""
    cycle = sales_cycle(settings.sales_cycle_months, book, target)
    return cycle, window(target, settings.window_months, cycle.months)


def goal_report(policy: Policy, book: ClosedLoopBook, target: Month, settings: ClosedLoopWindow) -> GoalReport:
    cycle, months = cycle_and_window(book, target, settings)
    groups = tuple(_group_goal(policy, book, months, group) for group in goal_groups(policy))
    everyone = GoalGroup(name=TOTAL, monthly_quota=total_quota(policy))
    return GoalReport(target, months, cycle, groups,
                      _group_goal(policy, book, months, everyone))


def _group_goal(policy: Policy, book: ClosedLoopBook, months: tuple[Month, ...], group: GoalGroup) -> GroupGoal:
    selected = partial(selects, policy, group)
    figures = tuple(month_figures(book, months, selected))
    fixed = group.inputs if group.inputs != "closed_loop" else None
    used = learned_inputs(figures) if fixed is None else LearnedInputs(
        close_rate=fixed.close_rate, average_deal_size=fixed.average_deal_size,
        marketing_share=fixed.marketing_share)
    quota = group_quota(policy, group)
    lead_value = group_lead_value(group, used)
    return GroupGoal(
        name=group.name, mode=group.mode, inputs="closed_loop" if fixed is None else "fixed", quota=quota,
        months=figures, used=used, lead_value=lead_value,
        goal_leads=goal_leads(quota, used.marketing_share, used.average_deal_size, used.close_rate)
        if quota else None,
        goal_value=quota * used.marketing_share if quota and used.marketing_share is not None else None,
        lead_values=dict(group.lead_values) if group.lead_values else None,
        values=month_values(book, months, selected, group, lead_value),
    )


def group_lead_value(group: GoalGroup, used: LearnedInputs) -> float | None:
    """The group's lead value: its own, else (without a table of values) close rate x deal size."""
    if group.lead_value is not None or group.lead_values:
        return group.lead_value
    if used.close_rate is None or used.average_deal_size is None:
        return None
    return used.close_rate * used.average_deal_size


def month_values(book: ClosedLoopBook, months: tuple[Month, ...], selected: Callable[[Attributes], bool],
                 group: GoalGroup, lead_value: float | None) -> tuple[float | None, ...]:
    """Per month, what the group's leads first converted in it are worth: each lead's own value."""
    converted: dict[Month, list] = {month: [] for month in months}
    for converted_at, attributes in book.leads.values():
        month = book.month_of(converted_at)
        if month in converted and selected(attributes):
            converted[month].append(attributes)
    return tuple(summed_worth(group, converted[month], lead_value) for month in months)
