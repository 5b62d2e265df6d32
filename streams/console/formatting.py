"""How the console words an outcome: short durations, times, one-line details. Pure.

Import rule: models only; the screen (streams.console.screen) and the live view use it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from models.outcomes import Outcome

KIND_COLUMN = 14  # width of the longest label, "CONTACTED LATE"


def label(kind: str) -> str:
    return kind.replace("_", " ").upper()


def span(seconds: float) -> str:
    """A duration, short: 45s, 12m, 1h05m, 2d03h."""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m" if minutes else f"{secs}s"


def time_left(deadline: datetime, now: datetime) -> str:
    seconds = (deadline - now).total_seconds()
    return f"{span(seconds)} left" if seconds > 0 else f"overdue {span(seconds)}"


def stamp(moment: datetime, tz: tzinfo) -> str:
    return f"{moment.astimezone(tz):%Y-%m-%d %H:%M}"


def detail(outcome: Outcome, tz: tzinfo) -> str:
    """What a manager wants to know about an outcome, in a few words."""
    kind = outcome.kind
    if kind == "escalated":
        to = f"escalated to {outcome.notify}" if outcome.notify else "escalated"
        return f"{to} (level {outcome.level or 1})"
    if kind == "contacted_late" and outcome.contact_at is not None:
        return f"contacted {span((outcome.contact_at - outcome.deadline_at).total_seconds())} late"
    if kind == "met" and outcome.contact_at is not None:
        return f"contacted {span((outcome.deadline_at - outcome.contact_at).total_seconds())} before deadline"
    if kind == "depth_breached":
        return f"only {outcome.attempts or 0} attempts in the follow-up period"
    if kind == "reassigned":
        return f"now owned by {outcome.owner_rep}"
    if kind == "returned":
        return "returned to marketing"
    if kind == "corrected":
        return f"withdraws {outcome.corrects}"
    return f"deadline {outcome.deadline_at.astimezone(tz):%H:%M}"  # opened, warning, breached


def plain_line(outcome: Outcome, tz: tzinfo) -> str:
    """One log line, e.g. ``2026-11-23 09:17  BREACHED  L-1  enterprise  rep-2  enterprise-demo  deadline 09:17``."""
    fields = (outcome.lead_id, outcome.team, outcome.owner_rep, outcome.segment, detail(outcome, tz))
    return f"{stamp(outcome.at, tz)}  {label(outcome.kind):<{KIND_COLUMN}}  " + "  ".join(fields)


def state_label(state: str) -> str:
    return state if state == "waiting" else state.upper()

