"""Human durations in policy files: ``90s``, ``15m``, ``1h30m``, ``10d``."""

from __future__ import annotations

import re
from datetime import timedelta

_PART = re.compile(r"(\d+)(d|h|m|s)")
# Ten years: longer than any SLA, lateness or retirement horizon, and far from timedelta's limit.
MAX_DURATION = timedelta(days=3650)
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}


def parse_duration(text: str) -> timedelta:
    """Parse ``1h30m``-style text; raise ValueError naming the offending text."""
    if not isinstance(text, str):
        raise ValueError(f"a duration must be text like '15m', not {text!r}")
    compact = text.strip().replace(" ", "")
    parts = _PART.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"invalid duration {text!r}: use digits with d, h, m or s, e.g. '1h30m'")
    if any(len(number) > 7 for number, _ in parts):  # 7 digits of seconds is already 115 days
        raise ValueError(f"duration {text!r} is too long: at most {MAX_DURATION.days}d")
    total = sum((timedelta(**{_UNITS[unit]: int(number)}) for number, unit in parts), timedelta())
    if total > MAX_DURATION:
        raise ValueError(f"duration {text!r} is too long: at most {MAX_DURATION.days}d")
    return total


def format_duration(value: timedelta) -> str:
    """Inverse of parse_duration, for messages: ``timedelta(hours=1, minutes=30)`` -> ``1h30m``."""
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "0s"
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    out = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            out.append(f"{count}{unit}")
    return sign + "".join(out)
