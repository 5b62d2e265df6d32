"""Business calendars and SLA clocks: the calendar model (weekly hours, holidays, time zone) and the
clocks a segment's SLA runs on.

The arithmetic itself (add, measure, test business time on UTC instants) lives in
models.business_hours; its public names are re-exported here, where callers import them.
Pure domain: no clock reads, no environment, no I/O.
"""


from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

from models.business_hours import (
    MAX_SEARCH_DAYS,
    Interval,
    MinuteRange,
    Schedule,
    add_business_time,
    as_utc,
    business_time_between,
    end_of_business_days,
    is_business_time,
)

__all__ = [
    "MAX_SEARCH_DAYS", "WEEKDAYS", "BusinessCalendar", "Interval", "MinuteRange", "SlaClock", "Weekday",
    "add_business_time", "business_time_between", "clock_for", "end_of_business_days", "is_business_time",
]

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order

# Bounds well above real calendars (a range is at least a minute; a decade of holidays).
MAX_RANGES_PER_DAY = 48
MAX_HOLIDAYS = 2000
_RANGE = re.compile(r"\d{2}:\d{2}-\d{2}:\d{2}")


def _parse_clock_time(text: str, whole: str, day: str) -> int:
    hours, minutes = int(text[:2]), int(text[3:])
    if minutes > 59:
        raise ValueError(f"invalid time {text!r} in range {whole!r} on {day}: minutes must be 00-59")
    if hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"invalid time {text!r} in range {whole!r} on {day}: hours must be 00-23, or 24:00")
    return hours * 60 + minutes


def _parse_range(text: str, day: str) -> MinuteRange:
    if not _RANGE.fullmatch(text.strip()):
        raise ValueError(
            f"invalid business-hours range {text!r} on {day}: expected 'HH:MM-HH:MM', e.g. '09:00-17:30'"
        )
    start_text, end_text = text.strip().split("-")
    start, end = _parse_clock_time(start_text, text, day), _parse_clock_time(end_text, text, day)
    if end <= start:
        raise ValueError(
            f"business-hours range {text!r} on {day} must end after it starts; "
            f"for hours past midnight use '...-24:00' and '00:00-...' on the next day"
        )
    return start, end


def _parse_day(day: str, ranges: Iterable[str]) -> tuple[MinuteRange, ...]:
    """Sorted, non-overlapping minute ranges of one weekday; touching ranges are joined."""
    ranges = tuple(ranges)
    if len(ranges) > MAX_RANGES_PER_DAY:
        raise ValueError(f"{len(ranges)} business-hours ranges on {day}; at most {MAX_RANGES_PER_DAY}")
    merged: list[MinuteRange] = []
    previous_text = ""
    for (start, end), text in sorted((_parse_range(text, day), text) for text in ranges):
        if merged and start < merged[-1][1]:
            raise ValueError(f"business-hours ranges {previous_text!r} and {text!r} on {day} overlap")
        if merged and start == merged[-1][1]:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
        previous_text = text
    return tuple(merged)


class BusinessCalendar(BaseModel):
    """Weekly business hours in local wall time, minus holidays (local dates)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str = Field(max_length=64)
    hours: dict[Weekday, tuple[str, ...]]
    holidays: tuple[date, ...] = Field(default=(), max_length=MAX_HOLIDAYS)

    _schedule: Schedule = PrivateAttr()
    _hash: int = PrivateAttr()

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, name: str) -> str:
        _zone(name)
        return name

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, hours: dict[Weekday, tuple[str, ...]]) -> dict[Weekday, tuple[str, ...]]:
        parsed = [_parse_day(day, ranges) for day, ranges in hours.items()]  # a list: check every day
        if not any(parsed):
            raise ValueError("calendar has no business hours")
        return hours

    def model_post_init(self, context: Any, /) -> None:
        # Parsed once per calendar: the hot path must not re-read "09:00-17:00" strings.
        weekly = tuple(_parse_day(day, self.hours.get(day, ())) for day in WEEKDAYS)
        self._schedule = Schedule(_zone(self.timezone), weekly, frozenset(self.holidays))
        self._hash = hash(self._schedule)

    def __hash__(self) -> int:
        # `hours` is a dict, so pydantic's frozen hash would fail; the schedule carries the same facts
        # (equal calendars have equal schedules). Precomputed: clock_for hashes it on every call,
        # and read from the private slot directly (pydantic's attribute fallback is slow).
        return self.__pydantic_private__["_hash"]

    @property
    def schedule(self) -> Schedule:
        """The parsed hours, read from the private slot directly (see ``__hash__``)."""
        return self.__pydantic_private__["_schedule"]


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


class SlaClock(Protocol):
    def add(self, start: datetime, amount: timedelta) -> datetime: ...
    def elapsed(self, start: datetime, end: datetime) -> timedelta: ...
    def add_period(self, start: datetime, period: timedelta) -> datetime: ...


@dataclass(frozen=True)
class _RoundTheClock:
    """Every instant counts (the "24x7" clock)."""

    def add(self, start: datetime, amount: timedelta) -> datetime:
        return as_utc(start, "start") + amount

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(timedelta(0), as_utc(end, "end") - as_utc(start, "start"))

    def add_period(self, start: datetime, period: timedelta) -> datetime:
        return self.add(start, period)


@dataclass(frozen=True)
class _BusinessClock:
    """Only business hours of `calendar` count; whole-day periods mean business days."""

    calendar: BusinessCalendar

    def add(self, start: datetime, amount: timedelta) -> datetime:
        return add_business_time(self.calendar, start, amount)

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return business_time_between(self.calendar, start, end)

    def add_period(self, start: datetime, period: timedelta) -> datetime:
        whole_days, remainder = divmod(period, timedelta(days=1))
        if whole_days >= 1 and not remainder:
            return end_of_business_days(self.calendar, start, whole_days)
        return add_business_time(self.calendar, start, period)


@lru_cache(maxsize=1024)
def clock_for(kind: Literal["business", "24x7"], cal: BusinessCalendar) -> SlaClock:
    if kind == "24x7":
        return _RoundTheClock()
    if kind == "business":
        return _BusinessClock(cal)
    raise ValueError(f"unknown SLA clock kind {kind!r}: expected 'business' or '24x7'")
