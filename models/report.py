"""The compliance report of a period: outcomes in, figures out.

A ``ReportBuilder`` folds the outcomes of an evaluation (in the order they were
announced) and keeps only what the period needs: the verdicts, contacts, breaches
and depth breaches that fall in it, and the lead cycles whose follow-up period ends
in it. So a year of topics costs the memory of the period, not of the year. A
``corrected`` outcome withdraws the outcome it names, as a consumer that keeps the
last record per id sees it. Figures are per day and ISO week (in the policy's
reporting time zone: its default calendar's), team, segment and rep; their
definitions are in models.report_figures.

Pure: no I/O, no clock. Which events were read and how is the caller's business.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Hashable, Iterable
from zoneinfo import ZoneInfo

from models.attempts import period_end
from models.outcomes import Outcome, withdrawn_kind
from models.policy import Policy
from models.report_figures import CONTACTS, DECISIONS, DepthFigures, SpeedFigures, depth_figures, speed_figures

KEPT = DECISIONS | CONTACTS | {"escalated", "depth_breached"}


@dataclass(frozen=True)
class Period:
    """Whole days, ``first_day`` to ``last_day`` inclusive, in the time zone ``zone``."""

    first_day: date
    last_day: date
    zone: str

    def __post_init__(self) -> None:
        if self.last_day < self.first_day:
            raise ValueError(f"the period ends ({self.last_day}) before it starts ({self.first_day})")

    @cached_property  # asked for each outcome folded
    def start(self) -> datetime:
        return _midnight(self.first_day, self.zone)

    @cached_property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return _midnight(self.last_day + timedelta(days=1), self.zone)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.zone)).date()


def _midnight(day: date, zone: str) -> datetime:
    """In UTC: Python subtracts two times of one zone as wall clocks, which a DST change makes wrong."""
    return datetime.combine(day, time(0), ZoneInfo(zone)).astimezone(timezone.utc)


def reporting_zone(policy: Policy) -> str:
    """The policy's reporting time zone: its default calendar's."""
    return policy.calendars[policy.default_calendar].timezone


def week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class SegmentTargets:
    target_seconds: float
    clock: str
    compliance_target: float
    follow_up_attempts: int | None
    follow_up_seconds: float | None


@dataclass(frozen=True)
class Breach:
    """A breached lead with its evidence; never contacted by the period's end: ``contact_at`` None
    and ``late_by_seconds`` counted to the period's end."""

    lead_id: str
    cycle: int
    team: str
    owner_rep: str
    segment: str
    handoff_at: datetime
    deadline_at: datetime
    contact_at: datetime | None
    late_by_seconds: float
    escalation_level: int


@dataclass(frozen=True)
class Correction:
    lead_id: str
    cycle: int
    at: datetime
    team: str
    withdrawn: str  # the outcome id
    withdrawn_kind: str


@dataclass
class _Cycle:
    """A lead cycle whose follow-up period ends in the report's period."""

    team: str
    owner_rep: str
    segment: str
    period_end: datetime
    target: int
    attempts: int | None = None  # set by a depth breach


@dataclass(frozen=True)
class Report:
    period: Period
    targets: dict[str, SegmentTargets]
    total: SpeedFigures
    by_day: dict[date, SpeedFigures]
    by_week: dict[str, SpeedFigures]
    by_team: dict[str, SpeedFigures]
    by_segment: dict[str, SpeedFigures]
    by_rep: dict[tuple[str, str], SpeedFigures]  # (team, rep)
    by_segment_day: dict[str, dict[date, SpeedFigures]]  # the speed charts
    breaches: list[Breach]
    depth_total: DepthFigures
    depth_by_team: dict[str, DepthFigures]
    depth_by_segment: dict[str, DepthFigures]
    depth_by_rep: dict[tuple[str, str], DepthFigures]
    corrections: list[Correction]
    rejected: list[tuple[str, str]]  # (where, reason)
    rejected_by_code: dict[str, int]
    # Attached by the command after the fold (dataclasses.replace): marketing's side
    # (models.report_marketing), the policy versions applied (models.report_versions) and the
    # what-if comparison (models.report_what_if); empty when not asked for or not known.
    marketing: object | None = None
    versions: tuple = ()
    what_if: object | None = None
    bandwidth: tuple = ()  # models.report_bandwidth, per rep
    agreement: object | None = None  # models.report_agreement: calendars and goal groups


@dataclass
class ReportBuilder:
    """``policy`` gives the targets shown; ``policy_at``, when set, the version that judged a lead
    cycle from its handoff (a policy history), for its follow-up target."""

    policy: Policy
    period: Period
    policy_at: Callable[[datetime], Policy] | None = None
    _kept: dict[str, Outcome] = field(default_factory=dict)
    _cycles: dict[tuple[str, int], _Cycle] = field(default_factory=dict)
    _corrections: list[Correction] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        kind = outcome.kind
        if kind == "corrected":
            self._withdraw(outcome)
        elif kind == "opened":
            self._open(outcome)
        elif kind in ("returned", "reassigned"):
            self._follow_cycle(outcome)
        if kind in KEPT and self.period.contains(outcome.at):
            self._kept[outcome.outcome_id] = outcome
            if kind == "depth_breached":
                self._depth_breach(outcome)

    def add_all(self, outcomes: Iterable[Outcome]) -> "ReportBuilder":
        for outcome in outcomes:
            self.add(outcome)
        return self

    def _withdraw(self, correction: Outcome) -> None:
        withdrawn = self._kept.pop(correction.corrects or "", None)
        kind = withdrawn_kind(correction)
        if kind in ("opened", "depth_breached"):
            self._cycles.pop((correction.lead_id, correction.cycle), None)
        if self.period.contains(correction.at):
            self._corrections.append(Correction(correction.lead_id, correction.cycle, correction.at,
                                                (withdrawn or correction).team, correction.corrects or "", kind))

    def verdicts(self) -> dict[tuple[str, int], Outcome]:
        """Each lead cycle decided in the period (met or breached): its decision, as it stands."""
        return {(o.lead_id, o.cycle): o for o in self._kept.values() if o.kind in DECISIONS}

    def _policy(self, outcome: Outcome) -> Policy:
        return self.policy if self.policy_at is None else self.policy_at(outcome.handoff_at)

    def _open(self, opened: Outcome) -> None:
        policy = self._policy(opened)
        segment = next((s for s in policy.segments if s.name == opened.segment), None)
        if segment is None or segment.follow_up is None:
            return
        ends = period_end(segment, policy.calendar_for(segment, opened.team), opened.handoff_at)
        if self.period.contains(ends):
            self._cycles[(opened.lead_id, opened.cycle)] = _Cycle(opened.team, opened.owner_rep, opened.segment,
                                                                   ends, segment.follow_up.attempts)

    def _follow_cycle(self, outcome: Outcome) -> None:
        cycle = self._cycles.get((outcome.lead_id, outcome.cycle))
        if cycle is None or outcome.at > cycle.period_end:
            return
        if outcome.kind == "returned":  # back with Marketing before the period ended: no depth verdict
            del self._cycles[(outcome.lead_id, outcome.cycle)]
        else:
            cycle.team, cycle.owner_rep = outcome.team, outcome.owner_rep

    def _depth_breach(self, outcome: Outcome) -> None:
        segment = next((s for s in self._policy(outcome).segments if s.name == outcome.segment), None)
        target = segment.follow_up.attempts if segment and segment.follow_up else 0
        self._cycles[(outcome.lead_id, outcome.cycle)] = _Cycle(outcome.team, outcome.owner_rep, outcome.segment,
                                                                outcome.at, target, outcome.attempts or 0)

    def finish(self, rejected: Iterable[tuple[object, str]] = ()) -> Report:
        kept = sorted(self._kept.values(), key=Outcome.sort_key)
        decisions = [o for o in kept if o.kind in DECISIONS]
        contacts = [o for o in kept if o.kind in CONTACTS]
        day = lambda o: self.period.day_of(o.at)  # noqa: E731
        cycles = list(self._cycles.values())
        rejected = [(str(where), reason) for where, reason in rejected]
        return Report(
            period=self.period, targets=targets_of(self.policy), total=speed_figures(decisions, contacts),
            by_day=_speed_by(lambda o: day(o), decisions, contacts),
            by_week=_speed_by(lambda o: week_of(day(o)), decisions, contacts),
            by_team=_speed_by(lambda o: o.team, decisions, contacts),
            by_segment=_speed_by(lambda o: o.segment, decisions, contacts),
            by_rep=_speed_by(lambda o: (o.team, o.owner_rep), decisions, contacts),
            by_segment_day={segment: _speed_by(day, [o for o in decisions if o.segment == segment],
                                               [o for o in contacts if o.segment == segment])
                            for segment in sorted({o.segment for o in kept})},
            breaches=_breaches(kept, self.period),
            depth_total=_depth(cycles), depth_by_team=_depth_by(lambda c: c.team, cycles),
            depth_by_segment=_depth_by(lambda c: c.segment, cycles),
            depth_by_rep=_depth_by(lambda c: (c.team, c.owner_rep), cycles),
            corrections=list(self._corrections), rejected=rejected,
            rejected_by_code=dict(Counter(reason.split(":", 1)[0] for _, reason in rejected).most_common()),
        )


def build_report(outcomes: Iterable[Outcome], policy: Policy, period: Period,
                 rejected: Iterable[tuple[object, str]] = ()) -> Report:
    return ReportBuilder(policy, period).add_all(outcomes).finish(rejected)


def targets_of(policy: Policy) -> dict[str, SegmentTargets]:
    return {
        s.name: SegmentTargets(
            s.speed_to_lead.target.total_seconds(), s.speed_to_lead.clock, s.speed_to_lead.compliance_target,
            s.follow_up.attempts if s.follow_up else None,
            s.follow_up.within.total_seconds() if s.follow_up else None)
        for s in policy.segments
    }


def _speed_by(key: Callable[[Outcome], Hashable], decisions: list[Outcome],
              contacts: list[Outcome]) -> dict:
    grouped: dict = defaultdict(lambda: ([], []))
    for outcome in decisions:
        grouped[key(outcome)][0].append(outcome)
    for outcome in contacts:
        grouped[key(outcome)][1].append(outcome)
    return {k: speed_figures(*grouped[k]) for k in sorted(grouped)}


def _breaches(kept: list[Outcome], period: Period) -> list[Breach]:
    contacts = {(o.lead_id, o.cycle): o.contact_at for o in kept if o.kind == "contacted_late"}
    levels: dict[tuple[str, int], int] = defaultdict(int)
    for o in kept:
        if o.kind == "escalated":
            levels[(o.lead_id, o.cycle)] = max(levels[(o.lead_id, o.cycle)], o.level or 0)
    found = []
    for o in (o for o in kept if o.kind == "breached"):
        contact_at = contacts.get((o.lead_id, o.cycle))
        late_by = ((contact_at or period.end) - o.deadline_at).total_seconds()
        found.append(Breach(o.lead_id, o.cycle, o.team, o.owner_rep, o.segment, o.handoff_at, o.deadline_at,
                            contact_at, late_by, levels[(o.lead_id, o.cycle)]))
    return found


def _depth(cycles: list[_Cycle]) -> DepthFigures:
    return depth_figures(len(cycles), [(c.attempts, c.target) for c in cycles if c.attempts is not None])


def _depth_by(key: Callable[[_Cycle], Hashable], cycles: list[_Cycle]) -> dict:
    grouped: dict = defaultdict(list)
    for cycle in cycles:
        grouped[key(cycle)].append(cycle)
    return {k: _depth(grouped[k]) for k in sorted(grouped)}
