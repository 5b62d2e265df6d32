"""Business calendars and SLA clocks: time arithmetic that honours business hours.

Business hours are written in the calendar's local wall time, but every computation here runs on
UTC instants. Each local date is turned once into the UTC intervals during which the wall clock
reads a business time (DST gaps and repeated hours included) and memoised, because these functions
run per lead per event. Pure domain: no clock reads, no environment, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order

# A calendar whose next business minute is further away than this is treated as broken.
MAX_SEARCH_DAYS = 4000

Interval = tuple[datetime, datetime]  # [start, end) in UTC
MinuteRange = tuple[int, int]  # [start, end) in minutes after local midnight; 1440 is "24:00"

_RANGE = re.compile(r"\d{2}:\d{2}-\d{2}:\d{2}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Offset changes are assumed at least this far apart (true of every DST rule in use).
_OFFSET_SAMPLE_SECONDS = 6 * 3600
# Dates memoised per calendar; ~55 years of days, cleared wholesale when full.
_DAY_MEMO_LIMIT = 20_000


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


@dataclass(frozen=True)
class _Schedule:
    """The parsed calendar, plus a memo of UTC intervals per local date (ignored by ==/hash)."""

    zone: ZoneInfo
    weekly: tuple[tuple[MinuteRange, ...], ...]  # indexed by date.weekday()
    holidays: frozenset[date]
    memo: dict[date, tuple[Interval, ...]] = field(default_factory=dict, compare=False, repr=False)


class BusinessCalendar(BaseModel):
    """Weekly business hours in local wall time, minus holidays (local dates)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    timezone: str
    hours: dict[Weekday, tuple[str, ...]]
    holidays: tuple[date, ...] = ()

    _schedule: _Schedule = PrivateAttr()
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
        self._schedule = _Schedule(_zone(self.timezone), weekly, frozenset(self.holidays))
        self._hash = hash(self._schedule)

    def __hash__(self) -> int:
        # `hours` is a dict, so pydantic's frozen hash would fail; the schedule carries the same facts
        # (equal calendars have equal schedules). Precomputed: clock_for hashes it on every call.
        return self._hash


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise ValueError(f"unknown time zone {name!r}") from error


def _to_seconds(instant: datetime) -> int:
    return (instant - _EPOCH) // timedelta(seconds=1)


def _offset_at(zone: ZoneInfo, seconds: int) -> timedelta:
    return (_EPOCH + timedelta(seconds=seconds)).astimezone(zone).utcoffset() or timedelta(0)


def _first_second_after_change(zone: ZoneInfo, before: int, after: int) -> int:
    """Bisect (before, after] for the first second whose UTC offset differs from `before`'s."""
    old_offset = _offset_at(zone, before)
    while after - before > 1:
        middle = (before + after) // 2
        if _offset_at(zone, middle) == old_offset:
            before = middle
        else:
            after = middle
    return after


OffsetPiece = tuple[datetime, datetime, timedelta]  # [start, end) in UTC, and the UTC offset there


def _offset_pieces(zone: ZoneInfo, start: datetime, end: datetime) -> list[OffsetPiece]:
    """Split [start, end) (UTC) into pieces of constant UTC offset. zoneinfo hides its transition
    list, so sample every few hours and bisect where the offset changed."""
    first, last = _to_seconds(start), _to_seconds(end)
    samples = [*range(first, last, _OFFSET_SAMPLE_SECONDS), last]
    boundaries = [first]
    for previous, sample in zip(samples, samples[1:]):
        if _offset_at(zone, sample) != _offset_at(zone, previous):
            boundaries.append(_first_second_after_change(zone, previous, sample))
    boundaries.append(last)
    return [
        (_EPOCH + timedelta(seconds=a), _EPOCH + timedelta(seconds=b), _offset_at(zone, a))
        for a, b in zip(boundaries, boundaries[1:])
    ]


def _merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def _compute_day(schedule: _Schedule, day: date) -> tuple[Interval, ...]:
    """UTC intervals in which the wall clock on local date `day` reads a business time.

    Within a piece of constant offset, wall time maps linearly to UTC, so clipping each range to
    each piece is exact: a wall time skipped by spring-forward maps to nothing, and one repeated
    by fall-back maps to both of its instants."""
    ranges = () if day in schedule.holidays else schedule.weekly[day.weekday()]
    if not ranges:
        return ()
    midnight = datetime.combine(day, time(), tzinfo=UTC)  # the wall time, read as if it were UTC
    pieces = _offset_pieces(schedule.zone, midnight - timedelta(days=1), midnight + timedelta(days=2))
    found = []
    for first_minute, end_minute in ranges:
        wall_start = midnight + timedelta(minutes=first_minute)
        wall_end = midnight + timedelta(minutes=end_minute)
        for piece_start, piece_end, offset in pieces:
            start, end = max(piece_start, wall_start - offset), min(piece_end, wall_end - offset)
            if start < end:
                found.append((start, end))
    return _merge(found)


def _day_intervals(schedule: _Schedule, day: date) -> tuple[Interval, ...]:
    intervals = schedule.memo.get(day)
    if intervals is None:
        if len(schedule.memo) >= _DAY_MEMO_LIMIT:
            schedule.memo.clear()
        intervals = schedule.memo[day] = _compute_day(schedule, day)
    return intervals


def _days_from(schedule: _Schedule, start: datetime) -> Iterator[tuple[Interval, ...]]:
    """Each local day's intervals, from the local date of `start` onwards, for a bounded search."""
    first_day = start.astimezone(schedule.zone).date()
    for offset in range(MAX_SEARCH_DAYS):
        yield _day_intervals(schedule, first_day + timedelta(days=offset))
    raise ValueError(f"business-time search went past {MAX_SEARCH_DAYS} days from {start.isoformat()}")


def _intervals_from(schedule: _Schedule, start: datetime) -> Iterator[Interval]:
    """Business intervals ending after `start`, clipped to begin no earlier than it, in order."""
    for intervals in _days_from(schedule, start):
        for begin, end in intervals:
            if end > start:
                yield max(begin, start), end


def _utc(value: datetime, name: str) -> datetime:
    # Arithmetic on aware datetimes sharing a tzinfo ignores DST, so everything is moved to UTC first.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def add_business_time(cal: BusinessCalendar, start: datetime, amount: timedelta) -> datetime:
    """The earliest instant t >= start with business_time_between(cal, start, t) == amount, in UTC."""
    start = _utc(start, "start")
    if amount < timedelta(0):
        raise ValueError(f"amount must not be negative, got {amount}")
    if not amount:
        return start
    remaining = amount
    for begin, end in _intervals_from(cal._schedule, start):
        if end - begin >= remaining:
            return begin + remaining  # lands on `end` exactly when used up at a close
        remaining -= end - begin
    raise AssertionError("unreachable: _days_from raises when the search is exhausted")


def business_time_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time elapsed in [start, end); zero when end <= start."""
    start, end = _utc(start, "start"), _utc(end, "end")
    total = timedelta(0)
    if end <= start:
        return total
    for begin, finish in _intervals_from(cal._schedule, start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total


def end_of_business_days(cal: BusinessCalendar, start: datetime, days: int) -> datetime:
    """Close of the `days`-th business day; start's own day is day 1 if start is before its last close."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    start = _utc(start, "start")
    counted = 0
    for intervals in _days_from(cal._schedule, start):
        if intervals and intervals[-1][1] > start:
            counted += 1
            if counted == days:
                return intervals[-1][1]
    raise AssertionError("unreachable: _days_from raises when the search is exhausted")


def is_business_time(cal: BusinessCalendar, at: datetime) -> bool:
    at = _utc(at, "at")
    day = at.astimezone(cal._schedule.zone).date()
    return any(begin <= at < end for begin, end in _day_intervals(cal._schedule, day))


class SlaClock(Protocol):
    def add(self, start: datetime, amount: timedelta) -> datetime: ...
    def elapsed(self, start: datetime, end: datetime) -> timedelta: ...
    def add_period(self, start: datetime, period: timedelta) -> datetime: ...


@dataclass(frozen=True)
class _RoundTheClock:
    """Every instant counts (the "24x7" clock)."""

    def add(self, start: datetime, amount: timedelta) -> datetime:
        return _utc(start, "start") + amount

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(timedelta(0), _utc(end, "end") - _utc(start, "start"))

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
