"""Policies with effective dates: which version of the agreement was in force at a moment.

A history is a list of versions, each in force from local midnight of its effective date
(in its own reporting time zone, its default calendar's) until the next one starts. The
earliest version also covers what came before its date: there is nothing older to apply.
A single policy file is a history of one version, in force always.

A lead cycle is judged by the version in force at its handoff: the offline commands run
the core once per version and keep, from each run, the outcomes whose handoff falls in
that version's time (``in_force_only``). The core itself never sees more than one policy.

Pure: the caller reads the files; dates and moments are inputs.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from models.outcomes import Outcome
from models.policy import Policy


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

    @classmethod
    def single(cls, policy: Policy, name: str) -> "PolicyHistory":
        return cls((PolicyVersion(name, None, policy),))

    @property
    def dated(self) -> bool:
        return self.versions[0].effective_from is not None

    def index_at(self, moment: datetime) -> int:
        """The version in force at ``moment`` (the earliest one before any version's date)."""
        starts = [v.starts for v in self.versions[1:]]
        return bisect.bisect_right(starts, moment)

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

    def relevant(self, end: datetime) -> list[int]:
        """Versions that can judge a lead handed off before ``end``: none that starts later."""
        return [i for i, v in enumerate(self.versions) if i == 0 or v.starts < end]


def in_force_only(history: PolicyHistory, index: int, sink: Callable[[Outcome], None]) -> Callable[[Outcome], None]:
    """A sink for the run of version ``index`` that passes on only the outcomes of lead cycles
    handed off while that version was in force."""
    if len(history.versions) == 1:
        return sink

    def keep(outcome: Outcome) -> None:
        if history.index_at(outcome.handoff_at) == index:
            sink(outcome)
    return keep
