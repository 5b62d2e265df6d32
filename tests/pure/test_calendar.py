"""Business-time arithmetic: weekends, holidays, lunch breaks, DST in New York and London."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from models.calendar import (
    WEEKDAYS,
    BusinessCalendar,
    add_business_time,
    business_time_between,
    clock_for,
    end_of_business_days,
    is_business_time,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
THANKSGIVING_2026 = date(2026, 11, 26)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def ny(month: int, day: int, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, fold=fold, tzinfo=NEW_YORK)


def london(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LONDON)


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def calendar(
    days=WORKDAYS, ranges=("09:00-17:00",), zone="America/New_York", holidays=()
) -> BusinessCalendar:
    return BusinessCalendar(timezone=zone, hours={day: ranges for day in days}, holidays=holidays)


OFFICE = calendar(holidays=(THANKSGIVING_2026,))  # Mon-Fri 09:00-17:00 New York
ALWAYS_OPEN = calendar(days=WEEKDAYS, ranges=("00:00-24:00",))
EVERY_DAY_OFFICE = calendar(days=WEEKDAYS)
LUNCH_BREAK = calendar(ranges=("09:00-12:00", "13:00-17:30"))


# --- ordinary weeks (January 2026: Fri 16th, Sat 17th, Mon 19th; New York is UTC-5) ---


def test_adding_within_one_business_day():
    assert add_business_time(OFFICE, ny(1, 19, 10), 2 * H) == utc(1, 19, 17)


def test_time_left_on_friday_carries_over_the_weekend():
    assert add_business_time(OFFICE, ny(1, 16, 16, 30), H) == utc(1, 19, 14, 30)  # Mon 09:30


def test_amount_used_up_exactly_at_close_returns_the_close_not_next_open():
    assert add_business_time(OFFICE, ny(1, 16, 16, 30), 30 * M) == utc(1, 16, 22)  # Fri 17:00


def test_handoff_on_saturday_starts_counting_monday_morning():
    assert add_business_time(OFFICE, ny(1, 17, 10), H) == utc(1, 19, 15)  # Mon 10:00


def test_handoff_before_opening_and_after_closing():
    assert add_business_time(OFFICE, ny(1, 20, 7), H) == utc(1, 20, 15)  # Tue 10:00
    assert add_business_time(OFFICE, ny(1, 20, 20), H) == utc(1, 21, 15)  # Wed 10:00
    assert business_time_between(OFFICE, ny(1, 20, 18), ny(1, 21, 8)) == timedelta(0)


def test_zero_amount_returns_start_in_utc():
    assert add_business_time(OFFICE, ny(1, 17, 10), timedelta(0)) == utc(1, 17, 15)
    assert add_business_time(OFFICE, ny(1, 17, 10), timedelta(0)).tzinfo is UTC


def test_business_time_between_a_full_week_and_reversed_spans():
    assert business_time_between(OFFICE, ny(1, 16, 16, 30), ny(1, 19, 9, 30)) == H
    assert business_time_between(OFFICE, ny(1, 19), ny(1, 26)) == 40 * H
    assert business_time_between(OFFICE, ny(1, 19, 12), ny(1, 19, 10)) == timedelta(0)


def test_thanksgiving_is_skipped():
    assert add_business_time(OFFICE, ny(11, 25, 16), 2 * H) == utc(11, 27, 15)  # Fri 10:00
    assert business_time_between(OFFICE, ny(11, 25, 9), ny(11, 27, 17)) == 16 * H
    assert not is_business_time(OFFICE, ny(11, 26, 12))


def test_holidays_accept_iso_dates():
    assert calendar(holidays=("2026-11-26",)).holidays == (THANKSGIVING_2026,)


def test_lunch_break_is_not_business_time():
    assert add_business_time(LUNCH_BREAK, ny(1, 19, 11, 30), H) == utc(1, 19, 18, 30)  # 13:30
    assert add_business_time(LUNCH_BREAK, ny(1, 19, 11, 30), 30 * M) == utc(1, 19, 17)  # 12:00
    assert add_business_time(LUNCH_BREAK, ny(1, 19, 12, 15), 15 * M) == utc(1, 19, 18, 15)  # 13:15
    assert business_time_between(LUNCH_BREAK, ny(1, 19), ny(1, 20)) == timedelta(hours=7, minutes=30)


def test_touching_ranges_behave_as_one_stretch():
    split = calendar(ranges=("12:00-17:00", "09:00-12:00"))
    assert add_business_time(split, ny(1, 19, 11, 30), H) == utc(1, 19, 17, 30)
    assert business_time_between(split, ny(1, 19), ny(1, 20)) == 8 * H


def test_full_days_on_consecutive_dates_are_contiguous_across_midnight():
    mon_tue = calendar(days=("mon", "tue"), ranges=("00:00-24:00",))
    assert add_business_time(mon_tue, ny(1, 19, 23), 2 * H) == utc(1, 20, 6)  # Tue 01:00
    assert add_business_time(mon_tue, ny(1, 20, 23), 2 * H) == utc(1, 26, 6)  # next Mon 01:00
    assert business_time_between(mon_tue, ny(1, 19), ny(1, 21)) == 48 * H
    assert is_business_time(mon_tue, ny(1, 20, 0))


def test_is_business_time_boundaries():
    assert is_business_time(OFFICE, ny(1, 19, 9))
    assert is_business_time(OFFICE, ny(1, 19, 16, 59))
    assert not is_business_time(OFFICE, ny(1, 19, 17))
    assert not is_business_time(OFFICE, ny(1, 19, 8, 59))
    assert not is_business_time(OFFICE, ny(1, 17, 12))  # Saturday
    assert is_business_time(OFFICE, utc(1, 19, 14))  # any time zone on input


# --- US spring-forward, Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00 UTC) ---


def test_spring_forward_day_of_a_round_the_clock_calendar_has_23_hours():
    assert business_time_between(ALWAYS_OPEN, ny(3, 8), ny(3, 9)) == 23 * H
    assert add_business_time(ALWAYS_OPEN, ny(3, 8), 23 * H) == utc(3, 9, 4)  # Mon 00:00 EDT
    assert add_business_time(ALWAYS_OPEN, ny(3, 7, 12), 24 * H) == utc(3, 8, 17)  # Sun 13:00 EDT


def test_spring_forward_keeps_an_office_day_at_8_hours():
    assert add_business_time(OFFICE, ny(3, 6, 16), 2 * H) == utc(3, 9, 14)  # Mon 10:00 EDT
    assert business_time_between(OFFICE, ny(3, 6, 9), ny(3, 9, 17)) == 16 * H
    assert business_time_between(EVERY_DAY_OFFICE, ny(3, 8), ny(3, 9)) == 8 * H
    assert add_business_time(EVERY_DAY_OFFICE, ny(3, 7, 16), 2 * H) == utc(3, 8, 14)  # Sun 10:00 EDT


def test_hours_spanning_the_skipped_hour_lose_it():
    night = calendar(days=("sun",), ranges=("01:00-04:00",))
    assert business_time_between(night, ny(3, 8), ny(3, 9)) == 2 * H
    assert add_business_time(night, ny(3, 8, 1, 30), H) == utc(3, 8, 7, 30)  # 03:30 EDT
    assert is_business_time(night, utc(3, 8, 7))  # 03:00 EDT, first instant after the jump


def test_hours_starting_inside_the_skipped_hour_open_at_the_jump():
    odd = calendar(days=("sun",), ranges=("02:30-05:00",))
    assert business_time_between(odd, ny(3, 8), ny(3, 9)) == 2 * H  # 03:00-05:00 EDT
    assert add_business_time(odd, ny(3, 8), 10 * M) == utc(3, 8, 7, 10)


# --- US fall-back, Sunday 2026-11-01: 02:00 EDT goes back to 01:00 EST (06:00 UTC) ---


def test_fall_back_day_of_a_round_the_clock_calendar_has_25_hours():
    assert business_time_between(ALWAYS_OPEN, ny(11, 1), ny(11, 2)) == 25 * H
    assert add_business_time(ALWAYS_OPEN, ny(11, 1), 25 * H) == utc(11, 2, 5)  # Mon 00:00 EST


def test_fall_back_keeps_an_office_day_at_8_hours():
    assert add_business_time(OFFICE, ny(10, 30, 16), 2 * H) == utc(11, 2, 15)  # Mon 10:00 EST
    assert business_time_between(EVERY_DAY_OFFICE, ny(11, 1), ny(11, 2)) == 8 * H
    assert add_business_time(EVERY_DAY_OFFICE, ny(10, 31, 16), 2 * H) == utc(11, 1, 15)  # Sun 10:00 EST


def test_repeated_hour_counts_twice():
    night = calendar(days=("sun",), ranges=("01:00-02:00",))
    assert business_time_between(night, ny(11, 1), ny(11, 2)) == 2 * H
    assert is_business_time(night, ny(11, 1, 1, 30, fold=1))  # the second 01:30 (EST)
    assert add_business_time(night, ny(11, 1, 1, 30), H) == utc(11, 1, 6, 30)  # 01:30 EST


def test_range_ending_inside_the_repeated_hour_is_open_during_both_passes():
    late = calendar(days=("sun",), ranges=("00:00-01:30",))
    assert business_time_between(late, ny(11, 1), ny(11, 2)) == 2 * H  # 00:00-01:30 EDT + 01:00-01:30 EST
    assert is_business_time(late, ny(11, 1, 1, 15, fold=1))
    assert not is_business_time(late, ny(11, 1, 1, 45, fold=1))
    assert add_business_time(late, ny(11, 1, 1), H) == utc(11, 1, 6, 30)  # 01:30 EST, after a 30m pause


# --- Europe/London: 2026-03-29 01:00 GMT -> 02:00 BST, 2026-10-25 02:00 BST -> 01:00 GMT ---


def test_london_round_the_clock_days_have_23_and_25_hours():
    always_open = calendar(days=WEEKDAYS, ranges=("00:00-24:00",), zone="Europe/London")
    assert business_time_between(always_open, london(3, 29), london(3, 30)) == 23 * H
    assert business_time_between(always_open, london(10, 25), london(10, 26)) == 25 * H


def test_london_office_across_both_transitions():
    office = calendar(zone="Europe/London")
    assert add_business_time(office, london(3, 27, 16), 2 * H) == utc(3, 30, 9)  # Mon 10:00 BST
    assert add_business_time(office, london(10, 23, 16), 2 * H) == utc(10, 26, 10)  # Mon 10:00 GMT
    assert business_time_between(office, london(3, 23), london(3, 30)) == 40 * H


# --- America/Santiago changes clocks at midnight: Sat 2026-04-04 24:00 -03 -> 23:00 -04, and
#     Sun 2026-09-06 00:00 -04 -> 01:00 -03 (so local midnight does not exist that day) ---


def test_midnight_transitions_keep_full_days_contiguous():
    santiago = ZoneInfo("America/Santiago")
    always_open = calendar(days=WEEKDAYS, ranges=("00:00-24:00",), zone="America/Santiago")

    def local(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
        return datetime(2026, month, day, hour, minute, tzinfo=santiago)

    assert business_time_between(always_open, local(4, 4), local(4, 5)) == 25 * H
    assert business_time_between(always_open, local(9, 6, 1), local(9, 7)) == 23 * H  # 01:00 opens Sunday
    late_saturday = local(9, 5, 23, 30)
    assert add_business_time(always_open, late_saturday, H) == utc(9, 6, 4, 30)  # Sun 01:30 -03


# --- add_business_time and business_time_between agree everywhere ---

AWKWARD = BusinessCalendar(
    timezone="America/New_York",
    hours={
        "mon": ("09:00-12:00", "13:00-17:30"),
        "tue": ("09:00-12:00", "13:00-17:30"),
        "wed": ("00:00-24:00",),
        "thu": ("00:00-24:00",),
        "fri": ("09:00-17:00",),
        "sat": ("01:00-04:00", "22:00-24:00"),
        "sun": ("00:00-02:30", "23:00-24:00"),
    },
    holidays=(date(2026, 3, 10), THANKSGIVING_2026),
)
AMOUNTS = [M, 30 * M, H, 2 * H + 17 * M, 8 * H, 9 * H, 25 * H, 40 * H, 100 * H]


def _starts_around(first: datetime) -> list[datetime]:
    return [first + step * timedelta(minutes=47) for step in range(220)]  # ~7 days, odd offsets


@pytest.mark.parametrize("first", [utc(3, 4), utc(10, 28), utc(11, 22)], ids=["spring", "fall", "holiday"])
def test_add_is_the_exact_inverse_of_between(first):
    for start in _starts_around(first):
        for amount in AMOUNTS:
            due = add_business_time(AWKWARD, start, amount)
            assert business_time_between(AWKWARD, start, due) == amount, (start, amount)
            # earliest such instant: one second sooner, the amount is not yet used up
            assert business_time_between(AWKWARD, start, due - timedelta(seconds=1)) < amount


@pytest.mark.parametrize("first", [utc(3, 4), utc(10, 28)], ids=["spring", "fall"])
def test_between_then_add_never_overshoots(first):
    for start in _starts_around(first):
        for hours in (1, 5, 13, 30, 70):
            end = start + hours * H
            spent = business_time_between(AWKWARD, start, end)
            assert add_business_time(AWKWARD, start, spent) <= end
            assert business_time_between(AWKWARD, start, add_business_time(AWKWARD, start, spent)) == spent


def test_round_the_clock_calendar_equals_real_elapsed_time():
    for start in _starts_around(utc(3, 5)) + _starts_around(utc(10, 29)):
        for hours in (1, 24, 49):
            assert business_time_between(ALWAYS_OPEN, start, start + hours * H) == hours * H
            assert add_business_time(ALWAYS_OPEN, start, hours * H) == start + hours * H


# --- end_of_business_days ---


def test_end_of_business_days_counts_the_start_day_when_before_close():
    assert end_of_business_days(OFFICE, ny(1, 19, 10), 1) == utc(1, 19, 22)  # Mon 17:00
    assert end_of_business_days(OFFICE, ny(1, 19, 10), 3) == utc(1, 21, 22)  # Wed 17:00
    assert end_of_business_days(OFFICE, ny(1, 20, 7), 1) == utc(1, 20, 22)  # before opening


def test_end_of_business_days_after_close_starts_with_the_next_business_day():
    assert end_of_business_days(OFFICE, ny(1, 16, 18), 1) == utc(1, 19, 22)  # Fri evening -> Mon
    assert end_of_business_days(OFFICE, ny(1, 16, 17), 1) == utc(1, 19, 22)  # exactly at close


def test_end_of_business_days_from_a_weekend_or_before_a_holiday():
    assert end_of_business_days(OFFICE, ny(1, 17, 10), 2) == utc(1, 20, 22)  # Sat -> Tue 17:00
    assert end_of_business_days(OFFICE, ny(11, 25, 10), 2) == utc(11, 27, 22)  # skips Thanksgiving


def test_end_of_business_days_on_a_full_day_calendar_is_next_midnight():
    mon_tue = calendar(days=("mon", "tue"), ranges=("00:00-24:00",))
    assert end_of_business_days(mon_tue, ny(1, 19, 10), 1) == utc(1, 20, 5)  # Tue 00:00 EST


def test_end_of_business_days_needs_at_least_one_day():
    with pytest.raises(ValueError, match="days must be at least 1, got 0"):
        end_of_business_days(OFFICE, ny(1, 19, 10), 0)


# --- clocks ---


def test_round_the_clock_sla_clock_uses_real_time():
    clock = clock_for("24x7", OFFICE)
    assert clock.add(ny(3, 7, 12), timedelta(days=1)) == utc(3, 8, 17)  # 24 real hours, not wall time
    assert clock.elapsed(ny(3, 8), ny(3, 9)) == 23 * H
    assert clock.elapsed(ny(3, 9), ny(3, 8)) == timedelta(0)
    assert clock.add_period(ny(1, 16, 16, 30), timedelta(days=2)) == utc(1, 18, 21, 30)


def test_business_sla_clock_uses_business_hours_and_business_days():
    clock = clock_for("business", OFFICE)
    assert clock.add(ny(1, 16, 16, 30), H) == utc(1, 19, 14, 30)
    assert clock.elapsed(ny(1, 16, 16, 30), ny(1, 19, 9, 30)) == H
    assert clock.add_period(ny(1, 16, 10), timedelta(days=1)) == utc(1, 16, 22)  # close of Fri
    assert clock.add_period(ny(1, 16, 10), timedelta(days=2)) == utc(1, 19, 22)  # close of Mon
    assert clock.add_period(ny(1, 16, 16, 30), timedelta(minutes=90)) == utc(1, 19, 15)  # Mon 10:00
    assert clock.add_period(ny(1, 16, 16, 30), timedelta(hours=36)) == utc(1, 23, 17, 30)  # Fri 12:30


def test_clocks_are_cached_per_equal_calendar():
    twin = calendar(holidays=(THANKSGIVING_2026,))
    assert twin == OFFICE and hash(twin) == hash(OFFICE)
    assert clock_for("business", twin) is clock_for("business", OFFICE)
    assert clock_for("business", OFFICE) != clock_for("business", LUNCH_BREAK)


def test_unknown_clock_kind_is_rejected():
    with pytest.raises(ValueError, match="unknown SLA clock kind 'wallclock'"):
        clock_for("wallclock", OFFICE)  # type: ignore[arg-type]


# --- validation ---


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        (("9-17",), r"invalid business-hours range '9-17' on mon: expected 'HH:MM-HH:MM'"),
        (("17:00-09:00",), r"range '17:00-09:00' on mon must end after it starts"),
        (("09:00-12:00", "11:30-13:00"), r"ranges '09:00-12:00' and '11:30-13:00' on mon overlap"),
        (("09:00-17:00", "09:00-17:00"), r"ranges '09:00-17:00' and '09:00-17:00' on mon overlap"),
        (("09:60-17:00",), r"invalid time '09:60' in range '09:60-17:00' on mon: minutes must be 00-59"),
        (("09:00-25:00",), r"invalid time '25:00' in range '09:00-25:00' on mon: hours must be 00-23"),
        (("22:00-24:30",), r"invalid time '24:30' in range '22:00-24:30' on mon"),
    ],
)
def test_malformed_ranges_are_rejected_by_name(ranges, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(timezone="UTC", hours={"mon": ranges})


def test_a_bad_range_is_found_on_any_day_not_just_the_first():
    with pytest.raises(ValueError, match=r"invalid business-hours range '8-12' on sat"):
        BusinessCalendar(timezone="UTC", hours={"mon": ("09:00-17:00",), "sat": ("8-12",)})


def test_calendar_without_any_hours_is_rejected():
    for hours in ({}, {"mon": (), "sat": ()}):
        with pytest.raises(ValueError, match="calendar has no business hours"):
            BusinessCalendar(timezone="UTC", hours=hours)


def test_unknown_time_zone_is_rejected_by_name():
    for name in ("Mars/Olympus_Mons", "", "../etc/passwd"):
        with pytest.raises(ValueError, match=f"unknown time zone '{name}'"):
            BusinessCalendar(timezone=name, hours={"mon": ("09:00-17:00",)})


def test_unknown_weekday_and_extra_fields_are_rejected():
    with pytest.raises(ValueError, match="monday"):
        BusinessCalendar(timezone="UTC", hours={"monday": ("09:00-17:00",)})
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        BusinessCalendar(timezone="UTC", hours={"mon": ("09:00-17:00",)}, weekends=True)


def test_calendar_is_frozen():
    with pytest.raises(ValueError, match="frozen"):
        OFFICE.timezone = "UTC"  # type: ignore[misc]


def test_naive_datetimes_and_negative_amounts_are_rejected():
    naive = datetime(2026, 1, 19, 10)
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        add_business_time(OFFICE, naive, H)
    with pytest.raises(ValueError, match="end must be timezone-aware"):
        business_time_between(OFFICE, ny(1, 19), naive)
    with pytest.raises(ValueError, match="at must be timezone-aware"):
        is_business_time(OFFICE, naive)
    with pytest.raises(ValueError, match="start must be timezone-aware"):
        clock_for("24x7", OFFICE).add(naive, H)
    with pytest.raises(ValueError, match="amount must not be negative"):
        add_business_time(OFFICE, ny(1, 19, 10), -H)


def test_search_is_bounded():
    one_hour_a_week = calendar(days=("mon",), ranges=("09:00-10:00",))
    with pytest.raises(ValueError, match="past 4000 days"):
        add_business_time(one_hour_a_week, ny(1, 19), 1000 * H)  # would need ~19 years
