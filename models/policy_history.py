"""Policies with effective dates: which version of the agreement was in force at a moment.

A history is a list of versions, each in force from local midnight of its effective date
(in its own reporting time zone, its default calendar's) until the next one starts. The
earliest version also covers what came before its date: there is nothing older to apply.
A single policy file is a history of one version, in force always.

A lead cycle is judged by the version in force at its handoff (the handoff that opened
the cycle): the core asks ``at(cycle.handoff_at)`` for the cycle's segments, targets,
calendars, follow-up period and reassignment rule, so the worker and every offline
command judge each cycle alike in one run. Under ``restart_clock`` a clock restarted by
a reassignment after a version's date is still judged by the version of the handoff.
The settings that are not per cycle take one value for the whole history, the largest
over its versions: ``allowed_lateness`` (the watermark waits for the slowest version's
late events) and ``retire_after`` (no version's lead is retired sooner than its own
file says). Each file already holds ``retire_after`` at least twice its lateness, so the
largest values hold it too.

Pure: the caller reads the files; dates and moments are inputs.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from datetime import timedelta
from zoneinfo import ZoneInfo

from models.policy import Policies, Policy


@dataclass(frozen=True)
class PolicyVersion:
    name: str  # where it came from: the file's name
    effective_from: date | None  # None: a single policy, in force always
    policy: Policy

    @property
    def zone(self) -> str:
        return self.policy.calendars[self.policy.default_calendar].timezone

    @property
    def starts(self) -> datetime | None:
        """The moment it comes into force (UTC): local midnight of its effective date."""
        if self.effective_from is None:
            return None
        return datetime.combine(self.effective_from, time(0), ZoneInfo(self.zone)).astimezone(timezone.utc)


@dataclass(frozen=True)
class PolicyHistory:
    versions: tuple[PolicyVersion, ...]  # in order of their effective dates

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError("a policy history needs at least one version")
        dates = [v.effective_from for v in self.versions]
        if len(dates) > 1 and (None in dates or dates != sorted(set(dates))):
            raise ValueError("policy versions need distinct effective dates, in order")
        # Looked up for every cycle the core judges: the starts are computed once.
        object.__setattr__(self, "_starts", tuple(v.starts for v in self.versions[1:]))
        object.__setattr__(self, "_policies", tuple(v.policy for v in self.versions))
        object.__setattr__(self, "_lateness", max(v.policy.allowed_lateness for v in self.versions))
        object.__setattr__(self, "_retire_after", max(v.policy.retire_after for v in self.versions))

    @classmethod
    def single(cls, policy: Policy, name: str) -> "PolicyHistory":
        return cls((PolicyVersion(name, None, policy),))

    @property
    def dated(self) -> bool:
        return self.versions[0].effective_from is not None

    def index_at(self, moment: datetime) -> int:
        """The version in force at ``moment`` (the earliest one before any version's date)."""
        return bisect.bisect_right(self._starts, moment)

    def at(self, moment: datetime) -> Policy:
        """The version judging a lead cycle handed off at ``moment`` (models.policy.Policies)."""
        return self._policies[bisect.bisect_right(self._starts, moment)]

    @property
    def allowed_lateness(self) -> timedelta:
        return self._lateness

    @property
    def retire_after(self) -> timedelta:
        return self._retire_after

    @property
    def policies(self) -> Policies:
        """What the core runs under: the policy itself when there is one version (no lookup per cycle)."""
        return self.versions[0].policy if len(self.versions) == 1 else self

    def in_force(self, moment: datetime) -> PolicyVersion:
        return self.versions[self.index_at(moment)]

    def on_day(self, day: date) -> PolicyVersion:
        """The version in force at the end of the local date ``day``: the latest effective on or before it."""
        dates = [v.effective_from for v in self.versions[1:]]
        return self.versions[bisect.bisect_right(dates, day)]

    def spans(self, start: datetime, end: datetime) -> list[tuple[int, datetime, datetime]]:
        """(version index, from, to) for each version in force during [start, end), clipped to it."""
        found = []
        for index, version in enumerate(self.versions):
            begins = start if index == 0 else max(start, version.starts)
            following = self.versions[index + 1].starts if index + 1 < len(self.versions) else None
            ends = end if following is None else min(end, following)
            if begins < ends:
                found.append((index, begins, ends))
        return found
