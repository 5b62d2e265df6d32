"""The goals part of the policy: marketing's goal per group of leads, and the older per-segment form.

What makes a group valid beyond its fields' types (it must be able to select a lead the
policy knows of; its value table must price leads it can select) is models.goal_groups;
the goal's arithmetic is models.goal, models.closed_loop and models.goal_report.
Pure: pydantic and the policy's shared types only.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import Field

from models.goal_groups import GROUP_ATTRIBUTES, POLICY_SEGMENT
from models.policy_types import MAX_MATCH_VALUES, Duration, Frozen, MatchValue, Name
from models.sales_cycle import SalesCycleMonths

MAX_GOAL_GROUPS = 100
# The closed loop learns from 6 to 12 months (the method's range), offset by a sales cycle of at most two years
# (models.sales_cycle.MAX_SALES_CYCLE_MONTHS).
WINDOW_MONTHS = (6, 12)


class MarketingGoal(Frozen):
    """Inputs of the monthly marketing lead goal (see models.goal)."""

    segment: Name
    monthly_quota: float = Field(gt=0)
    marketing_share: float = Field(gt=0, le=1)
    average_deal_size: float = Field(gt=0)
    close_rate: float = Field(gt=0, le=1)


# What a goal group may select on (models.goal_groups): a lead's own attributes, or `policy_segment`,
# the segment the policy's `segments` place it in. Not `source`: goals count marketing leads.
GroupAttribute = Literal[GROUP_ATTRIBUTES]  # a tuple subscript spells out its items: one source for the names
GroupKey = Literal[GROUP_ATTRIBUTES + (POLICY_SEGMENT,)]

# What each type of lead is worth, in a value-mode group: one attribute, and a value per value of it
# (``{offer: {demo-request: 100, webinar: 80, ebook: 30}}``). Its shape is checked here, its sense
# (one attribute, values the policy knows, every lead of the group priced) in models.goal_groups.
LeadValues = dict[GroupAttribute, Annotated[dict[Name, Annotated[float, Field(gt=0)]],
                                            Field(max_length=MAX_MATCH_VALUES)]]


class FixedInputs(Frozen):
    """A goal's inputs typed into the policy, relative to the group's quota."""

    marketing_share: float = Field(gt=0, le=1)
    average_deal_size: float = Field(gt=0)
    close_rate: float = Field(gt=0, le=1)


class ClosedLoopWindow(Frozen):
    """The months the closed loop learns from: ``window_months`` ending ``sales_cycle_months + 1``
    months before the goal's month (for March with a 3-month cycle and 6 months: June-November)."""

    window_months: int = Field(default=6, ge=WINDOW_MONTHS[0], le=WINDOW_MONTHS[1])
    sales_cycle_months: SalesCycleMonths = Field(
        default=3, description="Whole months, or auto: computed from the data (models.sales_cycle).")


class GoalGroup(Frozen):
    name: Name
    select: dict[GroupKey, MatchValue] = Field(
        default_factory=dict, description="Attributes a marketing lead must all match (a list means any of); "
                                          "empty selects every marketing lead.")
    inputs: Literal["closed_loop"] | FixedInputs = Field(
        default="closed_loop", description="closed_loop: learned from the window's leads and deals.")
    mode: Literal["count", "value"] = "count"
    lead_value: float | None = Field(default=None, gt=0, description="What one lead of the group is worth in "
                                     "value mode (with lead_values: one of a type the table does not list); "
                                     "default: close rate x average deal size.")
    lead_values: LeadValues | None = Field(default=None, description="Value mode: what each type of lead is "
                                           "worth, by one attribute (models.lead_values).")
    monthly_quota: float | None = Field(default=None, gt=0, description="Default: the goals' monthly_quota.")

    def wanted(self, key: str) -> list[str]:
        """The values selected for ``key`` (none: the group does not select on it)."""
        value = self.select.get(key)
        return [] if value is None else [value] if isinstance(value, str) else list(value)


class PaceAlert(Frozen):
    """When the generated rule warns that a group is behind its cumulative goal line."""

    behind_by: float = Field(default=0.1, gt=0, lt=1, description="Share of the goal line to date not reached.")
    after_day: int = Field(default=5, ge=1, le=28, description="Only from this day of the month on: early in a "
                           "month a few leads make a large share.")
    team: Name = Field(default="marketing", description="Team label of the warning (Alertmanager routes on it).")
    lasting: Duration = Field(default=timedelta(minutes=15), ge=timedelta(0), le=timedelta(days=7),
                              description="How long a group must stay behind before the warning fires.")


class Goals(Frozen):
    """Marketing's goal per group of leads (models.goal, models.closed_loop)."""

    monthly_quota: float = Field(gt=0, description="The sales quota of a month.")
    closed_loop: ClosedLoopWindow = ClosedLoopWindow()
    known_values: dict[GroupAttribute, Annotated[list[Name], Field(max_length=MAX_MATCH_VALUES)]] = Field(
        default_factory=dict, description="Attribute values leads carry that no segment matches on, "
                                          "so that groups may select them.")
    groups: tuple[GoalGroup, ...] = Field(default=(), max_length=MAX_GOAL_GROUPS)
    pace: PaceAlert = PaceAlert()
