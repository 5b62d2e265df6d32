"""Outcome builders for the alert tests: one enterprise-demo lead handed off Monday
2 March 2026 at 10:00 New York time (15:00 UTC), 15m target, as in tests.scenarios."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from models.outcomes import Outcome
from tests.scenarios import at

HANDOFF = at(0)
DEADLINE = at(15)
LATER = datetime(2026, 3, 3, tzinfo=timezone.utc)  # "now" on the sender's wall clock, well after it all


def outcome(kind: str, minutes: float, *, lead: str = "L-1", owner: str = "rep-ent-2", level: int | None = None,
            notify: str | None = None, corrects: str | None = None, suffix: str | None = None) -> Outcome:
    moment = at(minutes)
    suffix = suffix or (str(level) if level else None)
    return Outcome(
        schema_version=1, kind=kind, outcome_id=f"{lead}/1/{kind}" + (f"/{suffix}" if suffix else ""),
        lead_id=lead, cycle=1, at=moment, team="enterprise", owner_rep=owner, segment="enterprise-demo",
        source="marketing", clock="business", handoff_at=HANDOFF, deadline_at=DEADLINE, level=level,
        notify=notify, contact_at=moment if kind in ("met", "contacted_late") else None,
        wall_seconds=(moment - HANDOFF).total_seconds(), business_seconds=(moment - HANDOFF).total_seconds(),
        corrects=corrects)


def warning() -> Outcome:
    return outcome("warning", 10)


def breach() -> Outcome:
    return outcome("breached", 15)


def escalation(level: int = 1, notify: str = "manager") -> Outcome:
    return outcome("escalated", 30 if level == 1 else 75, level=level, notify=notify)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)
