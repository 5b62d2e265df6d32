"""The sales cycle that offsets the closed loop's window: a number of months, or ``auto``.

``auto`` is computed from the data, for a goal month M:

    the won deals the book holds that closed in the 12 months before M starts (in the goal
    zone), each from a marketing-generated lead converted no later than the deal closed;
    mean days = mean over those deals of (deal closed - the lead's first conversion), in days;
    months = mean days / 30.4375 (the mean month: 365.25 / 12), rounded half up to a whole
    number, at least 0, at most MAX_SALES_CYCLE_MONTHS (24).

Every won deal counts once (a lead with two won deals counts twice). With no such deal the
cycle is ``AUTO_FALLBACK_MONTHS`` (the policy's default), and the result says it fell back.

Pure: the caller's ClosedLoopBook holds the leads and the deals closed before M starts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import fmean
from typing import Annotated

from pydantic import PlainValidator

from models.closed_loop import ClosedLoopBook, Month
from models.goal_groups import MARKETING

AUTO = "auto"
MAX_SALES_CYCLE_MONTHS = 24
AUTO_LOOKBACK_MONTHS = 12
AUTO_FALLBACK_MONTHS = 3  # the policy's default cycle
DAYS_PER_MONTH = 365.25 / 12


def checked_setting(value: object) -> int | str:
    """The policy's ``sales_cycle_months``: whole months from 0 to the maximum, or ``auto``."""
    if value == AUTO:
        return AUTO
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_SALES_CYCLE_MONTHS:
        return value
    raise ValueError(f"must be a whole number of months from 0 to {MAX_SALES_CYCLE_MONTHS}, or {AUTO} "
                     f"(computed from the won deals), not {value!r}")


SalesCycleMonths = Annotated[int | str, PlainValidator(checked_setting)]


@dataclass(frozen=True)
class SalesCycle:
    """The cycle a goal used, and how it was found."""

    months: int
    setting: int | str  # what the policy or the flag said: a number of months, or "auto"
    computed_from_deals: int | None = None  # auto: the won deals the mean is over
    mean_days: float | None = None  # auto: their mean time from first conversion to won deal
    since: Month | None = None  # auto: the first month of the deals looked at

    @property
    def fallback(self) -> bool:
        """auto, with no won deal to compute it from: the default cycle was used."""
        return self.setting == AUTO and not self.computed_from_deals

    def as_json(self) -> dict:
        found = {"months": self.months, "setting": self.setting}
        if self.setting == AUTO:
            found.update(computed_from_deals=self.computed_from_deals, mean_days=self.mean_days,
                         deals_closed_from=str(self.since), fallback=self.fallback)
        return found

    def describe(self) -> str:
        """For a person: ``3 months``, or how auto found it."""
        months = f"{self.months} month{'' if self.months == 1 else 's'}"
        if self.setting != AUTO:
            return months
        if self.fallback:
            return (f"{months}: auto, but no won deal from a marketing lead closed from {self.since} on; "
                    f"the default {AUTO_FALLBACK_MONTHS}")
        return (f"{months}: auto, the mean {self.mean_days:.1f} days from first conversion to won deal "
                f"over {self.computed_from_deals} deal{'' if self.computed_from_deals == 1 else 's'} "
                f"closed from {self.since} on")


def sales_cycle(setting: int | str, book: ClosedLoopBook, target: Month,
                maximum: int = MAX_SALES_CYCLE_MONTHS) -> SalesCycle:
    """The cycle for ``target``'s goal: ``setting`` itself when it is a number, else computed."""
    if setting != AUTO:
        return SalesCycle(months=int(setting), setting=int(setting))
    since = target.plus(-AUTO_LOOKBACK_MONTHS)
    days = conversion_to_win_days(book, since, target)
    if not days:
        return SalesCycle(months=AUTO_FALLBACK_MONTHS, setting=AUTO, computed_from_deals=0, since=since)
    mean = fmean(days)
    return SalesCycle(months=months_of(mean, maximum), setting=AUTO, computed_from_deals=len(days),
                      mean_days=mean, since=since)


def conversion_to_win_days(book: ClosedLoopBook, since: Month, target: Month) -> list[float]:
    """Per won deal closed from ``since`` to before ``target`` (marketing leads only), its days
    from the lead's first conversion; a deal closed before its lead converted is passed over."""
    start, end = since.start(book.zone), target.start(book.zone)
    found = []
    for deal in book.deals.values():
        lead = book.leads.get(deal.lead_id)
        if not deal.won or lead is None or not start <= deal.closed_at < end:
            continue
        converted_at, attributes = lead
        if attributes.get("source") == MARKETING and converted_at <= deal.closed_at:
            found.append((deal.closed_at - converted_at).total_seconds() / 86_400)
    return found


def months_of(mean_days: float, maximum: int) -> int:
    """Whole months, rounded half up (45.65625 days, 1.5 months, is 2), from 0 to ``maximum``."""
    return max(0, min(maximum, math.floor(mean_days / DAYS_PER_MONTH + 0.5)))
