"""The closed loop: the marketing goal's inputs learned from the leads of past months and their deals.

For a goal month, the window is the N months that end ``sales cycle + 1`` months
before it (March, a 3-month cycle, 6 months: June to November of the year before), so
its leads have had a sales cycle to close. Per month m of the window, for the leads
a group selects:

    leads(m)           marketing-generated leads converted in m
    customers(m)       those of them with a won deal
    close rate(m)      customers(m) / leads(m)
    deal size(m)       won revenue from customers(m) / customers(m)
    marketing share(m) won revenue closed in m from the group's leads / all won revenue closed in m

Each input is the mean of its monthly values over the months where it is defined (a
month without leads has no close rate; it is left out, not counted as 0).

Only deals closed before the goal month starts count, so a goal computed later from
the same topics is the goal that was computed then. A lead's first conversion gives
its month and attributes; a deal's latest record (by its time) holds.

Pure: events in, numbers out; the month is taken in the zone the caller passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from statistics import fmean
from typing import Callable, Iterable, Mapping
from zoneinfo import ZoneInfo

from models.cycles import ATTRIBUTE_FIELDS
from models.events import DealClosed, LeadConverted

_MONTH = re.compile(r"(\d{4})-(\d{2})")
Attributes = Mapping[str, str | None]


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        found = _MONTH.fullmatch(text)
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise ValueError(f"{text!r} is not a month: write YYYY-MM, e.g. 2027-03")
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def of(cls, moment: datetime, zone: ZoneInfo) -> "Month":
        local = moment.astimezone(zone)
        return cls(local.year, local.month)

    def plus(self, months: int) -> "Month":
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def start(self, zone: ZoneInfo) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=zone)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def window(target: Month, window_months: int, sales_cycle_months: int) -> tuple[Month, ...]:
    """The ``window_months`` months ending ``sales_cycle_months + 1`` months before ``target``, oldest first."""
    last = target.plus(-(sales_cycle_months + 1))
    return tuple(last.plus(-back) for back in reversed(range(window_months)))


@dataclass(frozen=True)
class _Deal:
    lead_id: str
    closed_at: datetime
    won: bool
    amount: float


@dataclass
class ClosedLoopBook:
    """What the closed loop needs of the events: each lead's first conversion, each deal's latest record."""

    zone: ZoneInfo
    closed_before: datetime  # deals closed from here on are not known yet at the goal month's start
    leads: dict[str, tuple[datetime, dict[str, str | None]]] = field(default_factory=dict)
    deals: dict[str, _Deal] = field(default_factory=dict)

    def add(self, event: LeadConverted | DealClosed) -> None:
        if isinstance(event, LeadConverted):
            known = self.leads.get(event.lead_id)
            if known is None or event.occurred_at < known[0]:
                self.leads[event.lead_id] = (event.occurred_at, {n: getattr(event, n) for n in ATTRIBUTE_FIELDS})
        elif event.occurred_at < self.closed_before:
            known_deal = self.deals.get(event.deal_id)
            if known_deal is None or event.occurred_at >= known_deal.closed_at:
                self.deals[event.deal_id] = _Deal(event.lead_id, event.occurred_at, event.won, event.amount)

    def month_of(self, moment: datetime) -> Month:
        return Month.of(moment, self.zone)


@dataclass(frozen=True)
class MonthFigures:
    month: Month
    leads: int
    customers: int
    customer_revenue: float  # won revenue from customers(m), whenever it closed
    group_revenue: float  # won revenue closed in m from the group's leads
    won_revenue: float  # all won revenue closed in m

    @property
    def close_rate(self) -> float | None:
        return self.customers / self.leads if self.leads else None

    @property
    def deal_size(self) -> float | None:
        return self.customer_revenue / self.customers if self.customers else None

    @property
    def marketing_share(self) -> float | None:
        return self.group_revenue / self.won_revenue if self.won_revenue else None


def month_figures(book: ClosedLoopBook, months: Iterable[Month],
                  selected: Callable[[Attributes], bool]) -> list[MonthFigures]:
    """The window's monthly figures for the leads ``selected`` accepts (marketing leads of a group)."""
    mine = {lead_id for lead_id, (_, attributes) in book.leads.items() if selected(attributes)}
    won = [deal for deal in book.deals.values() if deal.won]
    won_by_lead: dict[str, float] = {}
    for deal in won:
        won_by_lead[deal.lead_id] = won_by_lead.get(deal.lead_id, 0.0) + deal.amount
    converted_in = _by_month(book, ((lead_id, book.leads[lead_id][0]) for lead_id in mine))
    closed_in = _by_month(book, ((deal, deal.closed_at) for deal in won))
    return [_figures(month, converted_in.get(month, []), closed_in.get(month, []), mine, won_by_lead)
            for month in months]


def _by_month(book: ClosedLoopBook, dated: Iterable[tuple[object, datetime]]) -> dict[Month, list]:
    grouped: dict[Month, list] = {}
    for item, moment in dated:
        grouped.setdefault(book.month_of(moment), []).append(item)
    return grouped


def _figures(month: Month, converted: list[str], closed: list[_Deal], mine: set[str],
             won_by_lead: dict[str, float]) -> MonthFigures:
    customers = [lead_id for lead_id in converted if lead_id in won_by_lead]
    return MonthFigures(
        month=month, leads=len(converted), customers=len(customers),
        customer_revenue=sum(won_by_lead[lead_id] for lead_id in customers),
        group_revenue=sum(deal.amount for deal in closed if deal.lead_id in mine),
        won_revenue=sum(deal.amount for deal in closed),
    )


@dataclass(frozen=True)
class LearnedInputs:
    """The goal's inputs as the window teaches them: each the mean over the months where it is defined."""

    close_rate: float | None
    average_deal_size: float | None
    marketing_share: float | None


def learned_inputs(figures: Iterable[MonthFigures]) -> LearnedInputs:
    figures = list(figures)
    return LearnedInputs(
        close_rate=mean_defined(f.close_rate for f in figures),
        average_deal_size=mean_defined(f.deal_size for f in figures),
        marketing_share=mean_defined(f.marketing_share for f in figures),
    )


def mean_defined(values: Iterable[float | None]) -> float | None:
    defined = [value for value in values if value is not None]
    return fmean(defined) if defined else None
