"""Time as an injected input.

Nothing in the simulator reads the wall clock directly: it asks a ``Clock``. The
demo uses an ``AcceleratedClock`` (one simulated hour per real minute at speed
60) that starts at the opening of a business week, so a newcomer sees warnings
and breaches quickly whatever the real time is; tests use a fake ``monotonic``.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from typing import Callable, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

DEMO_TIMEZONE = ZoneInfo("America/New_York")
DEMO_OPENING_HOUR = 9
DEFAULT_SPEED = 60.0


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def wall_seconds_until(self, t: datetime) -> float:
        return (t - self.now()).total_seconds()


class AcceleratedClock:
    """Simulated time that starts at ``start`` and runs ``speed`` times faster
    than the monotonic clock (monotonic, so NTP steps don't jump the demo)."""

    def __init__(
        self, start: datetime, speed: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed!r}")
        self.start = start.astimezone(timezone.utc)
        self.speed = speed
        self._monotonic = monotonic
        self._t0 = monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(self._monotonic() - self._t0) * self.speed)

    def wall_seconds_until(self, t: datetime) -> float:
        """Real seconds to sleep until this clock reads ``t`` (<= 0 if already past)."""
        return (t - self.now()).total_seconds() / self.speed


def wall_seconds_until(clock: Clock, t: datetime) -> float:
    """Real seconds until ``clock`` reaches ``t``; a clock without its own notion of
    speed (e.g. a fixed test clock) is assumed to run at real time."""
    own = getattr(clock, "wall_seconds_until", None)
    if callable(own):
        return float(own(t))
    return (t - clock.now()).total_seconds()


def demo_start(now: datetime) -> datetime:
    """09:00 New York time on the Monday of ``now``'s ISO week (the week as seen in
    New York), returned in UTC. A Sunday maps to the Monday six days before."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local = now.astimezone(DEMO_TIMEZONE)
    monday = local.date() - timedelta(days=local.weekday())
    # Build from the local wall time, so DST is resolved for that Monday, not for `now`.
    opening = datetime(monday.year, monday.month, monday.day, DEMO_OPENING_HOUR, tzinfo=DEMO_TIMEZONE)
    return opening.astimezone(timezone.utc)


def demo_clock(speed: float = DEFAULT_SPEED, now: datetime | None = None) -> AcceleratedClock:
    """The clock for ``leadsla run --simulate``: this week's Monday opening, accelerated."""
    return AcceleratedClock(demo_start(now or datetime.now(timezone.utc)), speed)
