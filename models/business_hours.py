"""Business-time arithmetic on UTC instants: add, measure and test business time on a schedule.

Business hours are written in the calendar's local wall time, but every computation here runs on
UTC instants. Each local date is turned once into the UTC intervals during which the wall clock
reads a business time (DST gaps and repeated hours included) and memoised, because these functions
run per lead per event. Pure domain: no clock reads, no environment, no I/O. The calendar model
and the SLA clocks live in models.calendar, which re-exports these functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the calendar holds a Schedule: a runtime import would go in a circle
    from models.calendar import BusinessCalendar

# A calendar whose next business minute is further away than this is treated as broken.
MAX_SEARCH_DAYS = 4000

Interval = tuple[datetime, datetime]  # [start, end) in UTC
MinuteRange = tuple[int, int]  # [start, end) in minutes after local midnight; 1440 is "24:00"

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_DAY = timedelta(days=1)
# Offset changes are assumed at least this far apart (true of every DST rule in use).
_OFFSET_SAMPLE_SECONDS = 6 * 3600
# Dates memoised per calendar; ~55 years of days, cleared wholesale when full.
_DAY_MEMO_LIMIT = 20_000


@dataclass(frozen=True)
class Schedule:
    """The parsed calendar, plus a memo of UTC intervals per local date (ignored by ==/hash)."""

    zone: ZoneInfo
    weekly: tuple[tuple[MinuteRange, ...], ...]  # indexed by date.weekday()
    holidays: frozenset[date]
    memo: dict[date, tuple[Interval, ...]] = field(default_factory=dict, compare=False, repr=False)



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


def _compute_day(schedule: Schedule, day: date) -> tuple[Interval, ...]:
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


def _day_intervals(schedule: Schedule, day: date) -> tuple[Interval, ...]:
    intervals = schedule.memo.get(day)
    if intervals is None:
        if len(schedule.memo) >= _DAY_MEMO_LIMIT:
            schedule.memo.clear()
        intervals = schedule.memo[day] = _compute_day(schedule, day)
    return intervals


def _days_from(schedule: Schedule, start: datetime) -> Iterator[tuple[Interval, ...]]:
    """Each local day's intervals, from the local date of `start` onwards, for a bounded search."""
    first_day = start.astimezone(schedule.zone).date()
    for offset in range(MAX_SEARCH_DAYS):
        yield _day_intervals(schedule, first_day + timedelta(days=offset))
    raise ValueError(f"business-time search went past {MAX_SEARCH_DAYS} days from {start.isoformat()}")


def _intervals_from(schedule: Schedule, start: datetime) -> Iterator[Interval]:
    """Business intervals ending after `start`, clipped to begin no earlier than it, in order."""
    for intervals in _days_from(schedule, start):
        for begin, end in intervals:
            if end > start:
                yield max(begin, start), end


def as_utc(value: datetime, name: str) -> datetime:
    # Arithmetic on aware datetimes sharing a tzinfo ignores DST, so everything is moved to UTC first.
    if value.tzinfo is UTC:  # the usual case: every event time is stored in UTC
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value.astimezone(UTC)


def add_business_time(cal: BusinessCalendar, start: datetime, amount: timedelta) -> datetime:
    """The earliest instant t >= start with business_time_between(cal, start, t) == amount, in UTC.
    The walk of ``_intervals_from``, written out: it runs for every deadline of every lead."""
    start = as_utc(start, "start")
    if amount < timedelta(0):
        raise ValueError(f"amount must not be negative, got {amount}")
    if not amount:
        return start
    remaining = amount
    schedule = cal.schedule
    day = start.astimezone(schedule.zone).date()
    for _ in range(MAX_SEARCH_DAYS):
        for begin, end in _day_intervals(schedule, day):
            if end > start:
                begin = max(begin, start)
                if end - begin >= remaining:
                    return begin + remaining  # lands on `end` exactly when used up at a close
                remaining -= end - begin
        day += _ONE_DAY
    raise ValueError(f"business-time search went past {MAX_SEARCH_DAYS} days from {start.isoformat()}")


def business_time_between(cal: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time elapsed in [start, end); zero when end <= start."""
    start, end = as_utc(start, "start"), as_utc(end, "end")
    total = timedelta(0)
    if end <= start:
        return total
    for begin, finish in _intervals_from(cal.schedule, start):
        if begin >= end:
            break
        total += min(finish, end) - begin
    return total


def end_of_business_days(cal: BusinessCalendar, start: datetime, days: int) -> datetime:
    """Close of the `days`-th business day; start's own day is day 1 if start is before its last close."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    start = as_utc(start, "start")
    counted = 0
    for intervals in _days_from(cal.schedule, start):
        if intervals and intervals[-1][1] > start:
            counted += 1
            if counted == days:
                return intervals[-1][1]
    raise AssertionError("unreachable: _days_from raises when the search is exhausted")


def is_business_time(cal: BusinessCalendar, at: datetime) -> bool:
    at = as_utc(at, "at")
    day = at.astimezone(cal.schedule.zone).date()
    return any(begin <= at < end for begin, end in _day_intervals(cal.schedule, day))

