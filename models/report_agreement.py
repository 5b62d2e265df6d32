"""The agreement a report applied, in words a reader can check against the signed one: each
calendar (time zone, weekly hours, holidays in the period), which teams work on it, and each
marketing goal group (what it selects, its mode, where its inputs come from, its quota).
The speed and depth targets per segment are ``Report.targets``.

Pure: read off the policy.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.calendar import WEEKDAYS
from models.goal import goal_groups, group_quota
from models.policy import Policy
from models.report import Period


@dataclass(frozen=True)
class CalendarTerms:
    name: str
    time_zone: str
    hours: tuple[tuple[str, tuple[str, ...]], ...]  # (weekday, its ranges), working days only
    holidays_in_period: tuple[str, ...]  # ISO dates
    teams: tuple[str, ...]


@dataclass(frozen=True)
class GoalTerms:
    group: str
    selects: str  # "segment=mid-market, offer=whitepaper|webinar"; "every marketing lead" when empty
    mode: str
    inputs: str  # closed_loop or fixed
    quota: float | None


@dataclass(frozen=True)
class Agreement:
    calendars: tuple[CalendarTerms, ...]
    goals: tuple[GoalTerms, ...]


def agreement_of(policy: Policy, period: Period) -> Agreement:
    return Agreement(
        calendars=tuple(_calendar(policy, name, period) for name in sorted(policy.calendars)),
        goals=tuple(GoalTerms(g.name, _selects(g.select), g.mode, "closed_loop" if g.inputs == "closed_loop"
                              else "fixed", group_quota(policy, g)) for g in goal_groups(policy)),
    )


def _calendar(policy: Policy, name: str, period: Period) -> CalendarTerms:
    calendar = policy.calendars[name]
    teams = [team for team, terms in policy.teams.items() if terms.calendar == name]
    return CalendarTerms(
        name=name, time_zone=calendar.timezone,
        hours=tuple((day, calendar.hours[day]) for day in WEEKDAYS if calendar.hours.get(day)),
        holidays_in_period=tuple(d.isoformat() for d in calendar.holidays
                                 if period.first_day <= d <= period.last_day),
        teams=tuple(sorted(teams)),
    )


def _selects(select: dict) -> str:
    if not select:
        return "every marketing lead"
    return ", ".join(f"{key}={value if isinstance(value, str) else '|'.join(value)}" for key, value in select.items())
