"""The month-to-date marketing waterfall per goal group, by event time. Pure.

"Today" is the watermark's, not a machine's: the latest watermark among the partitions
read, taken in the goal zone (models.goal_report.goal_zone). Each partition counts the
marketing conversions its watermark has passed, so a replay of a past month fills the
waterfall exactly as the live run did, and every conversion is counted once it is
final (no later record can undo it). Every marketing conversion counts, a recycled
lead's new one too: each is a new MQL (as the per-segment month-to-date gauge).

A group that prices its leads by type (``lead_values``) also gets its month's value: each lead's
own value, added up (models.lead_values); for the others the rules multiply the count by the
group's lead value.

The lead-state table is the source: a lead stays in it ``retire_after`` (35 days by
default) after it goes quiet, so a month's conversions are all there.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Mapping
from zoneinfo import ZoneInfo

from models.goal import MonthToDate, days_in_month, goal_groups, month_to_date, selects
from models.goal_groups import MARKETING
from models.goal_report import TOTAL  # every marketing lead, whatever its group
from models.lead_state import LeadState
from models.lead_values import Worth, value_table
from models.policy import Policy
from models.retirement import Retired


@dataclass
class MonthToDateCounts:
    today: date | None  # None: no partition has a watermark yet
    leads: Counter = field(default_factory=Counter)  # goal group (and TOTAL) -> conversions this month
    values: dict[str, float] = field(default_factory=dict)  # group with lead_values -> those leads' worth

    @property
    def day(self) -> int:
        return self.today.day if self.today else 0

    @property
    def days(self) -> int:
        return days_in_month(self.today) if self.today else 0


def today_of(watermarks: Mapping[int, datetime], zone: ZoneInfo) -> MonthToDate | None:
    return month_to_date(max(watermarks.values()), zone) if watermarks else None


def month_to_date_counts(states: Iterable[LeadState | Retired], watermarks: Mapping[int, datetime],
                         policy: Policy, zone: ZoneInfo) -> MonthToDateCounts:
    """Marketing conversions of the watermark's month, per goal group, over the given leads."""
    month = today_of(watermarks, zone)
    counts = MonthToDateCounts(today=month.today if month else None)
    if month is None:
        return counts
    groups = goal_groups(policy)
    worth = {g.name: Worth(g) for g in groups if value_table(g)}
    for state in states:
        watermark = watermarks.get(state.partition)
        if isinstance(state, Retired) or watermark is None:
            continue
        for record in state.spine:
            if _counts(record, month, watermark):
                _count(counts, worth, policy, groups, record)
    counts.values = {name: w.total or 0.0 for name, w in worth.items()}  # the policy prices every lead: never None
    return counts


def _count(counts: MonthToDateCounts, worth: dict[str, Worth], policy: Policy, groups, record) -> None:
    attributes = {"source": record.source, "segment": record.segment, "offer": record.offer,
                  "persona": record.persona, "quality": record.quality}
    counts.leads[TOTAL] += 1
    for group in groups:
        if selects(policy, group, attributes):
            counts.leads[group.name] += 1
            if group.name in worth:
                worth[group.name].add(attributes)


def _counts(record, month: MonthToDate, watermark: datetime) -> bool:
    return (record.kind == "lead_converted" and record.source == MARKETING
            and record.occurred_at <= watermark and month.start <= record.occurred_at < month.end)
