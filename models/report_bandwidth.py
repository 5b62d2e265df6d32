"""Rep bandwidth over a report's period: how much each rep was given and how much each did.

Per rep (named with the team of the last lead handed to them in the period):

- *leads handed*: lead cycles handed off or reassigned to the rep in the period;
- *attempts*: contact attempts the rep made in the period (automated touches left out:
  a sequence email is not the rep's time), and how many *connected*;
- *active days*: days of the period (reporting time zone) with at least one attempt;
- per day: leads handed and attempts, over the period's days; attempts per active day.

A rep handed many leads and making few attempts a day is over capacity; the lead's speed
and depth figures say what it cost.

Pure: the caller feeds the period's contact attempts (events) and outcomes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from models.events import ContactAttempt
from models.outcomes import Outcome
from models.report import Period


@dataclass(frozen=True)
class RepBandwidth:
    team: str | None  # None: the rep was handed no lead in the period
    rep: str
    leads_handed: int
    attempts: int
    connected: int
    active_days: int
    period_days: int

    @property
    def leads_per_day(self) -> float:
        return self.leads_handed / self.period_days

    @property
    def attempts_per_day(self) -> float:
        return self.attempts / self.period_days

    @property
    def attempts_per_active_day(self) -> float | None:
        return self.attempts / self.active_days if self.active_days else None


@dataclass
class _Rep:
    team: str | None = None
    handed: int = 0
    attempts: int = 0
    connected: int = 0
    days: set[date] = field(default_factory=set)


@dataclass
class BandwidthBook:
    period: Period
    _reps: dict[str, _Rep] = field(default_factory=lambda: defaultdict(_Rep))

    def add_event(self, event: object) -> None:
        if isinstance(event, ContactAttempt) and not event.automated and self.period.contains(event.occurred_at):
            rep = self._reps[event.rep]
            rep.attempts += 1
            rep.connected += event.connected
            rep.days.add(self.period.day_of(event.occurred_at))

    def add_outcome(self, outcome: Outcome) -> None:
        if outcome.kind in ("opened", "reassigned") and self.period.contains(outcome.at):
            rep = self._reps[outcome.owner_rep]
            rep.handed += 1
            rep.team = outcome.team

    def finish(self) -> tuple[RepBandwidth, ...]:
        days = (self.period.last_day - self.period.first_day).days + 1
        found = [RepBandwidth(r.team, name, r.handed, r.attempts, r.connected, len(r.days), days)
                 for name, r in self._reps.items()]
        return tuple(sorted(found, key=lambda b: (b.team or "", b.rep)))
