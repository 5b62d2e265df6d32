"""Which outcomes a handoff cycle has earned by a given watermark.

Every candidate outcome has an event time ``at`` at which it holds; it is *due*
once the watermark reaches ``at``. Whether a candidate exists at all depends only
on the lead's events, never on arrival order, so live and replay agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from functools import cached_property, lru_cache
from typing import NamedTuple

from models.attempts import EMPTY, AttemptSummary, period_end
from models.calendar import BusinessCalendar, SlaClock, clock_for
from models.cycles import Cycle
from models.lead_records import Attempt
from models.outcomes import Outcome
from models.policy import Policies, Policy, Segment


@dataclass(frozen=True)
class CycleFacts:
    """What the verdicts need, resolved once per cycle. The attempts are already reduced to
    the few times and counts below, so two facts with equal ``key`` give equal outcomes."""

    lead_id: str
    cycle: Cycle
    segment: Segment
    calendar: BusinessCalendar
    clock: SlaClock
    clock_kind: str
    clock_start: datetime
    deadline: datetime
    first_contact_at: datetime | None
    period_end: datetime | None  # end of the follow-up period, if the segment has a target
    depth_shortfall: int | None  # qualifying attempts in a period that ended short of the target

    @property
    def key(self) -> tuple:
        cycle = self.cycle
        return (cycle.number, cycle.handoff_at, tuple(cycle.attributes.items()), tuple(cycle.owners),
                cycle.returned_at, self.segment.name, self.clock_start, self.deadline,
                self.first_contact_at, self.depth_shortfall)

    @cached_property
    def stop_at(self) -> datetime | None:
        """When the speed-to-lead clock stopped: first qualifying contact or return."""
        times = [t for t in (self.first_contact_at, self.cycle.returned_at) if t]
        return min(times) if times else None

    def still_waiting_at(self, moment: datetime) -> bool:
        return self.stop_at is None or self.stop_at > moment


def resolve_facts(lead_id: str, cycle: Cycle, policies: Policies, summary: AttemptSummary = EMPTY) -> CycleFacts | None:
    """``cycle.attempts`` are the attempts not yet summarised; ``summary`` the others. The
    cycle is judged by the policy version in force at its handoff, restarted clocks included."""
    policy = policies.at(cycle.handoff_at)
    segment = policy.segment_for(cycle.attributes)
    if segment is None:  # the policy covers no such lead: no SLA applies
        return None
    team = cycle.owners[0].team
    calendar = policy.calendar_for(segment, team)
    clock = clock_for(segment.speed_to_lead.clock, calendar)
    first_contact_at = _first_contact(cycle, summary, segment)
    start = _clock_start(cycle, first_contact_at, policy, clock, segment.speed_to_lead.target)
    deadline = _add(clock, start, segment.speed_to_lead.target)
    ends = period_end(segment, calendar, cycle.handoff_at) if segment.follow_up else None
    shortfall = _depth_shortfall(cycle, summary, segment, ends)
    return CycleFacts(lead_id, cycle, segment, calendar, clock, segment.speed_to_lead.clock, start, deadline,
                      first_contact_at, ends, shortfall)


def qualifies(attempt: Attempt, segment: Segment) -> bool:
    """An automated touch (autoresponder, sequence email) counts only where the segment says so."""
    return segment.automated_touches_count or not attempt.automated


def _first_contact(cycle: Cycle, summary: AttemptSummary, segment: Segment) -> datetime | None:
    pending = next((a.occurred_at for a in cycle.attempts if qualifies(a, segment)), None)  # in event order
    return min((t for t in (pending, summary.first_qualifying(segment)) if t), default=None)


@lru_cache(maxsize=16384)  # per clock start: asked again and again while a lead is active, then never
def _add(clock: SlaClock, start: datetime, amount) -> datetime:
    return clock.add(start, amount)


def _clock_start(cycle: Cycle, first_contact_at: datetime | None, policy: Policy,
                 clock: SlaClock, target) -> datetime:
    """Under restart_clock a reassignment before first contact and before the
    running deadline starts the clock anew; one after the deadline does not
    undo the breach that already happened."""
    start = cycle.handoff_at
    if policy.reassignment == "restart_clock":
        for ownership in cycle.owners[1:]:
            contacted_before = first_contact_at is not None and first_contact_at <= ownership.since
            if not contacted_before and ownership.since < _add(clock, start, target):
                start = ownership.since
    return start


def _depth_shortfall(cycle: Cycle, summary: AttemptSummary, segment: Segment, ends: datetime | None) -> int | None:
    """Qualifying attempts within the follow-up period when it ended short of the target
    with no connect (a depth breach); None when there is no breach to announce."""
    if ends is None or (cycle.returned_at is not None and cycle.returned_at <= ends):
        return None
    in_period = [a for a in cycle.attempts if a.occurred_at <= ends]
    if any(a.connected for a in in_period) or (summary.first_connected and summary.first_connected <= ends):
        return None
    counted = summary.counted(segment) + sum(1 for a in in_period if qualifies(a, segment))
    return counted if counted < segment.follow_up.attempts else None


class Candidate(NamedTuple):
    """An outcome the cycle will have once the watermark passes ``at``: its identity and time
    now, its content (owner at that time, business seconds...) only when announced."""

    outcome_id: str
    kind: str
    at: datetime
    elapsed: timedelta | None  # business time since the start, when known by construction
    extra: tuple[tuple[str, object], ...]
    suffix: str  # the id without the lead's: "1/opened", one shared copy for every lead


def candidates(facts: CycleFacts) -> list[Candidate]:
    """Every outcome this cycle will have once the watermark passes its time."""
    found = [_outcome(facts, "opened", facts.clock_start, elapsed=timedelta(0))]
    found += _reassignments(facts)
    found += _speed_outcomes(facts)
    found += _contact_outcomes(facts)
    if facts.cycle.returned_at is not None:
        found.append(_outcome(facts, "returned", facts.cycle.returned_at))
    depth = _depth_breach(facts)
    return found + ([depth] if depth else [])


def _reassignments(facts: CycleFacts) -> list[Candidate]:
    return [
        _outcome(facts, "reassigned", o.since, suffix=str(n))
        for n, o in enumerate(facts.cycle.owners[1:], start=1)
        if facts.still_waiting_at(o.since)
    ]


def _speed_outcomes(facts: CycleFacts) -> list[Candidate]:
    rules = facts.segment.speed_to_lead
    # (kind, time on the segment's clock since the start, level, notify)
    points: list[tuple[str, timedelta, int | None, str | None]] = []
    if rules.warn_before is not None:
        points.append(("warning", rules.target - rules.warn_before, None, None))
    points.append(("breached", rules.target, None, None))
    for level, step in enumerate(rules.escalations, start=1):
        points.append(("escalated", rules.target + step.after, level, step.notify))
    found = []
    for kind, elapsed, level, notify in points:
        at = facts.deadline if kind == "breached" else _add(facts.clock, facts.clock_start, elapsed)
        if facts.still_waiting_at(at):
            found.append(_outcome(facts, kind, at, level=level, notify=notify, elapsed=elapsed,
                                  suffix=str(level) if level else None))
    return found


def _contact_outcomes(facts: CycleFacts) -> list[Candidate]:
    contact_at = facts.first_contact_at
    if contact_at is None or (facts.cycle.returned_at and facts.cycle.returned_at < contact_at):
        return []
    kind = "met" if contact_at <= facts.deadline else "contacted_late"
    return [_outcome(facts, kind, contact_at, contact_at=contact_at)]


def _depth_breach(facts: CycleFacts) -> Candidate | None:
    if facts.depth_shortfall is None:
        return None
    return _outcome(facts, "depth_breached", facts.period_end, attempts=facts.depth_shortfall)


def _outcome(facts: CycleFacts, kind: str, at: datetime, *, suffix: str | None = None,
             elapsed: timedelta | None = None, **extra) -> Candidate:
    local_id = _local_id(facts.cycle.number, kind, suffix)
    return Candidate(f"{facts.lead_id}/{local_id}", kind, at, elapsed, tuple(extra.items()), local_id)


@lru_cache(maxsize=4096)
def _local_id(cycle: int, kind: str, suffix: str | None) -> str:
    return f"{cycle}/{kind}" + (f"/{suffix}" if suffix else "")


def content_key(facts: CycleFacts, candidate: Candidate) -> tuple:
    """Everything ``materialize`` reads: equal keys give equal outcomes (unequal keys may
    still, which only ``materialize`` can tell), without building either."""
    cycle = facts.cycle
    return (candidate, facts.lead_id, cycle.number, cycle.owner_at(candidate.at), facts.segment.name,
            cycle.attributes.get("source"), facts.clock_kind, facts.clock_start, facts.deadline,
            facts.clock if candidate.elapsed is None else None)


def materialize(facts: CycleFacts, candidate: Candidate) -> Outcome:
    """The outcome with its evidence. ``elapsed`` known by construction (a point the clock
    itself computed) spares the calendar walk."""
    at = candidate.at
    owner = facts.cycle.owner_at(at)
    elapsed = candidate.elapsed
    if elapsed is None:
        elapsed = facts.clock.elapsed(facts.clock_start, at)
    cycle = facts.cycle
    return Outcome(
        schema_version=1,
        kind=candidate.kind,
        outcome_id=candidate.outcome_id,
        lead_id=facts.lead_id,
        cycle=cycle.number,
        at=at,
        team=owner.team,
        owner_rep=owner.rep,
        segment=facts.segment.name,
        source=cycle.attributes.get("source"),
        clock=facts.clock_kind,
        handoff_at=facts.clock_start,
        deadline_at=facts.deadline,
        wall_seconds=max(0.0, (at - facts.clock_start).total_seconds()),
        business_seconds=elapsed.total_seconds(),
        **dict(candidate.extra),
    )

