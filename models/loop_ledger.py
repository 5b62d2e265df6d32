"""The closed loop, kept live: per lead, what the marketing goal's inputs need of it. Pure.

The worker folds every lead conversion and closed deal into one small ``LeadLoop`` per
lead (its first conversion: time and attributes; each deal's latest record), keyed by
lead id like the inputs, so a lead's conversions and deals meet on one partition. At
refresh time the loops of a worker's partitions become a ``ClosedLoopBook``
(models.closed_loop) and give the sales cycle (a number, or ``auto``: computed from the book's
won deals) and the window's monthly figures per goal group, exactly as ``leadsla goals``
computes them from the same events.

A loop's size does not grow with the lead's conversions (only the first counts); it
grows with its deals, which are few per lead (at most ``MAX_DEALS_PER_LEAD`` kept: the
latest by close time).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import Iterable
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict

from models.closed_loop import ClosedLoopBook, Month, MonthFigures, _Deal, month_figures
from models.cycles import ATTRIBUTE_FIELDS
from models.events import DealClosed, LeadConverted
from models.goal import goal_groups, selects, total_quota
from models.goal_report import TOTAL, closed_loop_window, cycle_and_window, goal_zone
from models.policy import GoalGroup, Policy
from models.sales_cycle import SalesCycle

MAX_DEALS_PER_LEAD = 64


class DealRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    closed_at: AwareDatetime
    won: bool
    amount: float


class LeadLoop(BaseModel):
    """What the closed loop keeps of one lead, with the partition that owns it."""

    model_config = ConfigDict(frozen=True)

    lead_id: str
    partition: int
    converted_at: AwareDatetime | None = None  # the lead's first conversion
    attributes: dict[str, str | None] = {}
    deals: dict[str, DealRecord] = {}  # deal id -> its latest record (by close time)


def fold(loop: LeadLoop | None, event: LeadConverted | DealClosed, partition: int) -> LeadLoop | None:
    """``loop`` with ``event`` in it; None when the event changes nothing (a later conversion,
    an older record of a deal), so the caller writes nothing."""
    current = loop or LeadLoop(lead_id=event.lead_id, partition=partition)
    if isinstance(event, LeadConverted):
        if current.converted_at is not None and current.converted_at <= event.occurred_at:
            return None
        attributes = {name: getattr(event, name) for name in ATTRIBUTE_FIELDS}
        return current.model_copy(update={"converted_at": event.occurred_at, "attributes": attributes})
    known = current.deals.get(event.deal_id)
    if known is not None and known.closed_at > event.occurred_at:
        return None
    record = DealRecord(closed_at=event.occurred_at, won=event.won, amount=event.amount)
    if known == record:
        return None
    deals = {**current.deals, event.deal_id: record}
    if len(deals) > MAX_DEALS_PER_LEAD:
        deals = dict(sorted(deals.items(), key=lambda item: item[1].closed_at)[-MAX_DEALS_PER_LEAD:])
    return current.model_copy(update={"deals": deals})


def book_of(loops: Iterable[LeadLoop], zone: ZoneInfo, closed_before: datetime) -> ClosedLoopBook:
    """The loops as the offline book: converted leads, and deals closed before ``closed_before``."""
    book = ClosedLoopBook(zone=zone, closed_before=closed_before)
    for loop in loops:
        if loop.converted_at is not None:
            book.leads[loop.lead_id] = (loop.converted_at, dict(loop.attributes))
        for deal_id, deal in loop.deals.items():
            if deal.closed_at < closed_before:
                book.deals[deal_id] = _Deal(loop.lead_id, deal.closed_at, deal.won, deal.amount)
    return book


@dataclass(frozen=True)
class LiveWindow:
    """The closed loop behind the watermark month's goal, over some partitions' loops."""

    cycle: SalesCycle | None = None  # None: no watermark yet, so no month
    figures: dict[str, list[MonthFigures]] = field(default_factory=dict)  # group (and total) -> window months


def live_window(loops: Iterable[LeadLoop], policy: Policy, today: date | None) -> LiveWindow:
    """Per goal group (and ``total``), the monthly figures of the window behind ``today``'s month's
    goal, as ``leadsla goals --month`` gives them: only deals closed before that month started, and a
    sales cycle of ``auto`` computed from those deals the same way (models.goal_report)."""
    if today is None:
        return LiveWindow()
    zone = goal_zone(policy)
    target = Month(today.year, today.month)
    book = book_of(loops, zone, target.start(zone))
    cycle, months = cycle_and_window(book, target, closed_loop_window(policy))
    groups = list(goal_groups(policy)) + [GoalGroup(name=TOTAL, monthly_quota=total_quota(policy))]
    return LiveWindow(cycle, {group.name: month_figures(book, months, partial(selects, policy, group))
                              for group in groups})
