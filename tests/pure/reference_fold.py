"""The first version's lifecycle, kept verbatim as a test oracle: every event of a lead
folded from scratch into cycles, every verdict re-derived. Slow (cost grows with the
lead's history) but obviously right; the incremental core must decide exactly as it does.
"""

from __future__ import annotations



from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Callable, Iterable

from models.events import ContactAttempt, LeadConverted, LeadEventBase, LeadHandoff

ATTRIBUTE_FIELDS = ("source", "segment", "offer", "persona", "quality")
_KIND_RANK = {"lead_converted": 0, "handoff": 1, "contact_attempt": 2}
_ACTION_RANK = {"assign": 0, "reassign": 1, "return": 2}


class Phase(Enum):
    NEW = "new"  # converted (or unknown), never handed off
    OPEN = "open"  # handed off to Sales, clocks may run
    RETURNED = "returned"  # given back to Marketing, clocks stopped


@dataclass(frozen=True)
class Ownership:
    since: datetime
    rep: str
    team: str


@dataclass
class Cycle:
    number: int
    handoff_at: datetime
    attributes: dict[str, str | None]
    owners: list[Ownership]
    attempts: list[ContactAttempt] = field(default_factory=list)
    returned_at: datetime | None = None

    def owner_at(self, moment: datetime) -> Ownership:
        current = self.owners[0]
        for ownership in self.owners[1:]:
            if ownership.since <= moment:
                current = ownership
        return current


@dataclass
class Fold:
    phase: Phase = Phase.NEW
    attributes: dict[str, str | None] = field(default_factory=dict)
    cycles: list[Cycle] = field(default_factory=list)


def event_order(event: LeadEventBase) -> tuple:
    """Event time first; at equal times conversion < handoff < attempt, so a call
    stamped in the same second as its handoff counts as after it."""
    action = getattr(event, "action", "")
    return (event.occurred_at, _KIND_RANK[event.kind], _ACTION_RANK.get(action, 0), event.event_id)


def fold(events: Iterable[LeadEventBase]) -> Fold:
    state = Fold()
    for event in events:
        signal = _signal(event)
        TRANSITIONS[(state.phase, signal)](state, event)
    return state


def _signal(event: LeadEventBase) -> str:
    if isinstance(event, LeadHandoff):
        return "return" if event.action == "return" else "assign"
    return "converted" if isinstance(event, LeadConverted) else "attempt"


# --- transition handlers: (fold state, event) -> None, mutating the fold ------------


def _record_attributes(state: Fold, event: LeadConverted) -> None:
    state.attributes = {name: getattr(event, name) for name in ATTRIBUTE_FIELDS}
    if state.phase is Phase.OPEN and not state.cycles[-1].attributes.get("source"):
        # The conversion is stamped after the handoff (odd, but it happens with
        # list imports): it is still the best description of this cycle's lead.
        state.cycles[-1].attributes = _with_handoff_segment(state.attributes, state.cycles[-1].attributes)


def _open_cycle(state: Fold, event: LeadHandoff) -> None:
    attributes = _with_handoff_segment(state.attributes, {"segment": event.segment})
    owner = Ownership(event.occurred_at, event.owner_rep or "", event.team or "")
    state.cycles.append(Cycle(len(state.cycles) + 1, event.occurred_at, attributes, [owner]))
    state.phase = Phase.OPEN


def _change_owner(state: Fold, event: LeadHandoff) -> None:
    state.cycles[-1].owners.append(Ownership(event.occurred_at, event.owner_rep or "", event.team or ""))


def _return(state: Fold, event: LeadHandoff) -> None:
    state.cycles[-1].returned_at = event.occurred_at
    state.phase = Phase.RETURNED


def _record_attempt(state: Fold, event: ContactAttempt) -> None:
    state.cycles[-1].attempts.append(event)


def _ignore(state: Fold, event: LeadEventBase) -> None:
    """Touches before a handoff or after a return are outside any SLA clock."""


def _with_handoff_segment(attributes: dict, handoff: dict) -> dict:
    merged = dict(attributes)
    if handoff.get("segment"):
        merged["segment"] = handoff["segment"]
    return merged


Handler = Callable[[Fold, LeadEventBase], None]
TRANSITIONS: dict[tuple[Phase, str], Handler] = {
    (Phase.NEW, "converted"): _record_attributes,
    (Phase.NEW, "assign"): _open_cycle,
    (Phase.NEW, "return"): _ignore,
    (Phase.NEW, "attempt"): _ignore,
    (Phase.OPEN, "converted"): _record_attributes,
    (Phase.OPEN, "assign"): _change_owner,
    (Phase.OPEN, "return"): _return,
    (Phase.OPEN, "attempt"): _record_attempt,
    (Phase.RETURNED, "converted"): _record_attributes,
    (Phase.RETURNED, "assign"): _open_cycle,
    (Phase.RETURNED, "return"): _ignore,
    (Phase.RETURNED, "attempt"): _ignore,
}



from dataclasses import dataclass
from datetime import datetime, timedelta

from models.calendar import BusinessCalendar, SlaClock, clock_for
from models.events import ContactAttempt
from models.outcomes import Outcome
from models.policy import Policy, Segment


@dataclass(frozen=True)
class CycleFacts:
    """What the verdicts need, resolved once per cycle."""

    lead_id: str
    cycle: Cycle
    segment: Segment
    calendar: BusinessCalendar
    clock: SlaClock
    clock_kind: str
    clock_start: datetime
    deadline: datetime
    first_contact: ContactAttempt | None

    @property
    def stop_at(self) -> datetime | None:
        """When the speed-to-lead clock stopped: first qualifying contact or return."""
        times = [t for t in (self.first_contact and self.first_contact.occurred_at, self.cycle.returned_at) if t]
        return min(times) if times else None

    def still_waiting_at(self, moment: datetime) -> bool:
        return self.stop_at is None or self.stop_at > moment


def resolve_facts(lead_id: str, cycle: Cycle, policy: Policy) -> CycleFacts | None:
    segment = policy.segment_for(cycle.attributes)
    if segment is None:  # the policy covers no such lead: no SLA applies
        return None
    team = cycle.owners[0].team
    calendar = policy.calendar_for(segment, team)
    clock = clock_for(segment.speed_to_lead.clock, calendar)
    qualifying = [a for a in cycle.attempts if _qualifies(a, segment)]
    first_contact = qualifying[0] if qualifying else None
    start = _clock_start(cycle, first_contact, policy, clock, segment.speed_to_lead.target)
    deadline = clock.add(start, segment.speed_to_lead.target)
    return CycleFacts(lead_id, cycle, segment, calendar, clock, segment.speed_to_lead.clock, start, deadline, first_contact)


def _qualifies(attempt: ContactAttempt, segment: Segment) -> bool:
    return segment.automated_touches_count or not attempt.automated


def _clock_start(cycle: Cycle, first_contact: ContactAttempt | None, policy: Policy,
                 clock: SlaClock, target) -> datetime:
    """Under restart_clock a reassignment before first contact and before the
    running deadline starts the clock anew; one after the deadline does not
    undo the breach that already happened."""
    start = cycle.handoff_at
    if policy.reassignment == "restart_clock":
        for ownership in cycle.owners[1:]:
            contacted_before = first_contact is not None and first_contact.occurred_at <= ownership.since
            if not contacted_before and ownership.since < clock.add(start, target):
                start = ownership.since
    return start


def candidates(facts: CycleFacts) -> list[Outcome]:
    """Every outcome this cycle will have once the watermark passes its time."""
    found = [_outcome(facts, "opened", facts.clock_start, elapsed=timedelta(0))]
    found += _reassignments(facts)
    found += _speed_outcomes(facts)
    found += _contact_outcomes(facts)
    if facts.cycle.returned_at is not None:
        found.append(_outcome(facts, "returned", facts.cycle.returned_at))
    depth = _depth_breach(facts)
    return found + ([depth] if depth else [])


def _reassignments(facts: CycleFacts) -> list[Outcome]:
    return [
        _outcome(facts, "reassigned", o.since, suffix=str(n))
        for n, o in enumerate(facts.cycle.owners[1:], start=1)
        if facts.still_waiting_at(o.since)
    ]


def _speed_outcomes(facts: CycleFacts) -> list[Outcome]:
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
        at = facts.deadline if kind == "breached" else facts.clock.add(facts.clock_start, elapsed)
        if facts.still_waiting_at(at):
            found.append(_outcome(facts, kind, at, level=level, notify=notify, elapsed=elapsed,
                                  suffix=str(level) if level else None))
    return found


def _contact_outcomes(facts: CycleFacts) -> list[Outcome]:
    contact = facts.first_contact
    if contact is None or (facts.cycle.returned_at and facts.cycle.returned_at < contact.occurred_at):
        return []
    kind = "met" if contact.occurred_at <= facts.deadline else "contacted_late"
    return [_outcome(facts, kind, contact.occurred_at, contact_at=contact.occurred_at)]


def follow_up_period_end(facts: CycleFacts) -> datetime | None:
    """End of the cycle's follow-up period, on the follow-up's own clock; None without a target."""
    follow_up = facts.segment.follow_up
    if follow_up is None:
        return None
    return clock_for(follow_up.clock, facts.calendar).add_period(facts.cycle.handoff_at, follow_up.within)


def _depth_breach(facts: CycleFacts) -> Outcome | None:
    period_end = follow_up_period_end(facts)
    if period_end is None:
        return None
    follow_up = facts.segment.follow_up
    if facts.cycle.returned_at is not None and facts.cycle.returned_at <= period_end:
        return None
    in_period = [a for a in facts.cycle.attempts if a.occurred_at <= period_end]
    if any(a.connected for a in in_period):
        return None
    counted = sum(1 for a in in_period if _qualifies(a, facts.segment))
    if counted >= follow_up.attempts:
        return None
    return _outcome(facts, "depth_breached", period_end, attempts=counted)


def _outcome(facts: CycleFacts, kind: str, at: datetime, *, suffix: str | None = None,
             elapsed: timedelta | None = None, **extra) -> Outcome:
    """``elapsed``: the business time since the start when it is known by
    construction (a point the clock itself computed), sparing the calendar walk."""
    owner = facts.cycle.owner_at(at)
    if elapsed is None:
        elapsed = facts.clock.elapsed(facts.clock_start, at)
    cycle = facts.cycle
    return Outcome(
        schema_version=1,
        kind=kind,
        outcome_id=f"{facts.lead_id}/{cycle.number}/{kind}" + (f"/{suffix}" if suffix else ""),
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
        **extra,
    )


def next_time_after(outcomes: list[Outcome], watermark: datetime) -> datetime | None:
    later = [o.at for o in outcomes if o.at > watermark]
    return min(later) if later else None



def reference_outcomes(lead_id: str, events, policy: Policy) -> list[Outcome]:
    """Every outcome the events imply once time has passed all of them (an event id
    counts once, as the first version's state ignored a duplicate)."""
    unique = list({e.event_id: e for e in reversed(list(events))}.values())
    found: list[Outcome] = []
    for cycle in fold(sorted(unique, key=event_order)).cycles:
        facts = resolve_facts(lead_id, cycle, policy)
        if facts is not None:
            found += candidates(facts)
    return sorted(found, key=Outcome.sort_key)
