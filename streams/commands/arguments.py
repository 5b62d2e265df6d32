"""Types for command-line values, so a bad value is refused by argparse before anything starts.

Each raises ``argparse.ArgumentTypeError``; argparse then prints the usage line and the
flag's name with the message and exits with status 2.
"""

from __future__ import annotations

import argparse
import math
from datetime import date, datetime, timedelta
from typing import Callable

from models.closed_loop import Month
from models.durations import parse_duration


def positive_number(text: str) -> float:
    value = _number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number above 0, not {text!r}")
    return value


def share(text: str) -> float:
    """A share of records, as 0.01 for 1%."""
    value = _number(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be a share between 0 and 1 (0.01 is 1%), not {text!r}")
    return value


def positive_count(text: str) -> int:
    value = _parsed(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {text!r}")
    return value


def duration(text: str) -> timedelta:
    """A duration written as in a policy file: 30s, 15m, 1h30m, 2d."""
    try:
        return parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def aware_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no time zone; add Z or +HH:MM")
    return moment


def month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def count_between(low: int, high: int) -> Callable[[str], int]:
    """A whole number from ``low`` to ``high``."""
    def parse(text: str) -> int:
        value = _parsed(text, int, "a whole number")
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, not {text!r}")
        return value
    return parse


def months_or_auto(high: int) -> Callable[[str], int | str]:
    """A whole number of months from 0 to ``high``, or ``auto`` (computed from the data)."""
    def parse(text: str) -> int | str:
        if text == "auto":
            return text
        try:
            value = int(text)
        except ValueError:
            value = -1
        if not 0 <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number of months from 0 to {high}, or auto "
                                             f"(computed from the won deals), not {text!r}")
        return value
    return parse


def _number(text: str) -> float:
    value = _parsed(text, float, "a number")
    if not math.isfinite(value):  # float() reads "nan" and "inf"
        raise argparse.ArgumentTypeError(f"must be a finite number, not {text!r}")
    return value


def _parsed(text: str, kind: type, noun: str):
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {noun}, not {text!r}") from None


def calendar_date(text: str) -> date:
    """A day as YYYY-MM-DD."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else _not_a_date(text)
    except ValueError:
        return _not_a_date(text)


def _not_a_date(text: str) -> date:
    raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}")
