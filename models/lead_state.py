"""One lead's state, as small as its future decisions allow, and its two transitions:
an event arrives, or time passes.

What is kept: the lead's conversions and handoffs (few; they shape its cycles), the
attempts the watermark has not passed yet (a late handoff may still place them), a
per-cycle summary of the attempts it has passed (models.attempts), the ids of recent
attempts (to spot re-deliveries), and the ids of what was announced. So an event costs
the same whatever came before it.

Outcomes are derived from that state and diffed against what was announced: new or
changed ones are emitted, and an announced one that no longer holds (an attempt stamped
before the deadline arrived after the breach went out) is withdrawn with a
``corrected`` outcome. The content of an announced outcome is not stored: it is what
the previous state derives, which is why derivations are remembered per state.

A lead quiet for the policy's ``retire_after`` horizon, with nothing left to announce,
is replaced by a ``Retired`` tombstone (models.retirement).
"""

from __future__ import annotations

import bisect
import heapq
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone

from models.attempts import EMPTY, AttemptSummary, period_ends, summarise
from models.cycles import Cycle, fold
from models.events import LeadEventBase
from models.lead_records import Attempt, Record, SpineRecord, label, record_of, record_order
from models.outcomes import Outcome
from models.policy import Policy
from models.verdicts import Candidate, CycleFacts, candidates, content_key, materialize, resolve_facts

# Ids of this many recent attempts are kept: a re-delivery (after a crash, a producer
# retry) comes soon after the original. Conversions and handoffs keep their ids for good.
RECENT_ATTEMPT_IDS = 64
EPOCH_WATERMARK = datetime(1970, 1, 1, tzinfo=timezone.utc)  # before any event: nothing is due yet


@dataclass(frozen=True, slots=True)
class LeadState:
    lead_id: str
    partition: int
    spine: tuple[SpineRecord, ...] = ()  # conversions and handoffs, in event order
    pending: tuple[Attempt, ...] = ()  # attempts the watermark has not passed, in event order
    summaries: tuple[tuple[int, AttemptSummary], ...] = ()  # cycle number -> attempts it has passed
    recent_ids: tuple[str, ...] = ()  # ids of the latest attempts, oldest first
    announced: tuple[str, ...] = ()  # outcome ids announced and still standing, sorted
    corrections: int = 0
    first_cycle: int = 1  # number of the lead's first cycle kept here (retired ones came before)
    latest_event_at: datetime | None = None
    next_due: datetime | None = None  # next outcome time, or the retirement time
    # Not stored: (policy, {cycle number: (facts key, candidates)}) derived from this state.
    memo: tuple | None = field(default=None, compare=False, repr=False)

    def summary(self, cycle_number: int) -> AttemptSummary:
        return next((s for n, s in self.summaries if n == cycle_number), EMPTY)

    def has_seen(self, record: Record) -> bool:
        if record.kind != "contact_attempt":
            return any(r.event_id == record.event_id for r in self.spine)
        return record.event_id in self.recent_ids or any(a.event_id == record.event_id for a in self.pending)

    def cycles(self) -> list[Cycle]:
        records = heapq.merge(self.spine, self.pending, key=record_order) if self.pending else self.spine
        return fold(records, self.first_cycle).cycles


_FIELDS = tuple(f.name for f in fields(LeadState))


def replace(state: LeadState, **changes) -> LeadState:
    """``dataclasses.replace`` for this one class, without its generic machinery: every
    event makes a new state, and the generic one cost more than the rest of a step."""
    new = object.__new__(LeadState)
    for name in _FIELDS:
        object.__setattr__(new, name, changes[name] if name in changes else getattr(state, name))
    return new


def new_lead(lead_id: str, partition: int) -> LeadState:
    return LeadState(lead_id=lead_id, partition=partition)


def apply_event(state: LeadState, event: LeadEventBase, policy: Policy,
                watermark: datetime) -> tuple[LeadState, list[Outcome]]:
    """Add an event (ignored if already seen) and announce what is now due."""
    record = record_of(event)
    if state.has_seen(record):
        return state, []
    latest = max(state.latest_event_at or record.occurred_at, record.occurred_at)
    if record.kind != "contact_attempt":
        spine = _insert(state.spine, record)
        grown = replace(state, spine=spine, latest_event_at=latest, memo=None)
    else:
        recent = (state.recent_ids + (record.event_id,))[-RECENT_ATTEMPT_IDS:]
        grown = replace(state, pending=_insert(state.pending, record), recent_ids=recent,
                        latest_event_at=latest, memo=None)
    return _announce(state, settle(grown, policy, watermark), policy, watermark)


def advance(state: LeadState, policy: Policy, watermark: datetime) -> tuple[LeadState, list[Outcome]]:
    """Time passes: announce the outcomes due by ``watermark``."""
    return _announce(state, settle(state, policy, watermark), policy, watermark)


def settle(state: LeadState, policy: Policy, watermark: datetime) -> LeadState:
    """Summarise the attempts the watermark has passed: their cycle can no longer change."""
    if not state.pending or state.pending[0].occurred_at >= watermark:
        return state
    passed = [a for a in state.pending if a.occurred_at < watermark]
    summaries = dict(state.summaries)
    cycles = fold(state.spine, state.first_cycle).cycles
    ends: dict[int, dict[str, datetime]] = {}  # cycle number -> its follow-up period ends
    for attempt in passed:
        cycle = _cycle_at(cycles, attempt.occurred_at)
        if cycle is not None:  # before any handoff or after a return: outside every clock
            if cycle.number not in ends:
                ends[cycle.number] = period_ends(policy, cycle.owners[0].team, cycle.handoff_at)
            known = summaries.get(cycle.number, EMPTY)
            summaries[cycle.number] = summarise(known, attempt, ends[cycle.number])
    return replace(state, pending=state.pending[len(passed):], summaries=tuple(sorted(summaries.items())),
                   memo=state.memo)


def _cycle_at(cycles: list[Cycle], moment: datetime) -> Cycle | None:
    """The cycle an attempt at ``moment`` belongs to: handed off at or before it (a handoff
    sorts before an attempt of the same second) and not returned by then."""
    for cycle in reversed(cycles):
        if cycle.handoff_at <= moment:
            return cycle if cycle.returned_at is None or moment < cycle.returned_at else None
    return None


def _insert(records: tuple, record: Record) -> tuple:
    """``records`` with ``record`` in event order (after any equal one, as it arrived later)."""
    position = bisect.bisect_right(records, record_order(record), key=record_order)
    return records[:position] + (record,) + records[position:]


# --- deciding: derive, then diff against what was announced --------------------------------------

Derived = dict[int, tuple[tuple, CycleFacts, list[Candidate]]]  # cycle number -> (facts key, facts, candidates)


def derive(state: LeadState, policy: Policy) -> Derived:
    """Every outcome the state implies, due or not, per cycle with the facts that decided
    them. A cycle whose facts did not change keeps its candidates."""
    memo = state.memo
    if memo is not None and memo[0] is policy and memo[2] is state.spine and memo[3] is state.pending \
            and memo[4] is state.summaries:
        return memo[1]
    before = memo[1] if memo is not None and memo[0] is policy else {}
    derived: Derived = {}
    for cycle in state.cycles():
        facts = resolve_facts(state.lead_id, cycle, policy, state.summary(cycle.number))
        if facts is None:
            continue
        known = before.get(cycle.number)
        key = facts.key
        derived[cycle.number] = (key, facts, known[2]) if known and known[0] == key else (key, facts, candidates(facts))
    object.__setattr__(state, "memo", (policy, derived, state.spine, state.pending, state.summaries))
    return derived


def take_memo(state: LeadState) -> tuple | None:
    """Detach what ``state`` derived (kept apart from stored states, see Tracker)."""
    memo = state.memo
    object.__setattr__(state, "memo", None)
    return memo


def give_memo(state: LeadState, memo: tuple | None) -> None:
    """Re-attach a derivation; one that no longer fits the state is only a per-cycle hint."""
    if state.memo is None:
        object.__setattr__(state, "memo", memo)


def all_outcomes(state: LeadState, policy: Policy) -> list[Outcome]:
    """Every outcome the state implies, due or not, with its content."""
    return [materialize(facts, c) for _, facts, found in derive(state, policy).values() for c in found]


def _announce(before: LeadState, after: LeadState, policy: Policy,
              watermark: datetime) -> tuple[LeadState, list[Outcome]]:
    if after.memo is None and before.memo is not None:
        object.__setattr__(after, "memo", (policy, before.memo[1], None, None, None))
    previous = derive(before, policy) if before.announced else {}
    current = derive(after, policy)
    due = {c.outcome_id: (facts, c) for _, facts, found in current.values() for c in found if c.at <= watermark}
    announced = {_full_id(after, suffix) for suffix in before.announced}
    content = _Contents(due)
    # Time passing alone (the same derivation) withdraws nothing: what was due stays due.
    withdrawn = [] if current is previous else _withdrawn(previous, current, announced, content)
    kept = announced - {o.outcome_id for o in withdrawn}
    fresh = sorted((content.of(key) for key in due if key not in kept), key=Outcome.sort_key)
    corrections = [_correction(old, before.corrections + n) for n, old in enumerate(withdrawn, start=1)]
    times = [c.at for _, _, found in current.values() for c in found]
    later = [t for t in times if t > watermark]
    settled = replace(after, announced=tuple(sorted(_suffix(after, key) for key in due)),
                      corrections=before.corrections + len(corrections),
                      next_due=min(later) if later else retire_at(after, times, policy))
    object.__setattr__(settled, "memo", after.memo)
    return settled, corrections + fresh


class _Contents:
    """Due outcomes' content, built once and only when needed."""

    def __init__(self, due: dict[str, tuple[CycleFacts, Candidate]]) -> None:
        self.due = due
        self._built: dict[str, Outcome] = {}

    def of(self, outcome_id: str) -> Outcome | None:
        if outcome_id not in self.due:
            return None
        if outcome_id not in self._built:
            self._built[outcome_id] = materialize(*self.due[outcome_id])
        return self._built[outcome_id]


def _withdrawn(previous: Derived, current: Derived, announced: set[str], content: _Contents) -> list[Outcome]:
    """Announced outcomes that no longer hold as announced, in the order they were derived.
    A cycle whose facts are unchanged announces the same content: nothing to compare; nor
    does a candidate whose content key is unchanged (the usual case: a first contact
    changes a cycle's facts, not its ``opened`` outcome). An id the previous state cannot
    derive (only if the policy changed under it) is kept while it still holds: an outcome
    id never gets a second content."""
    withdrawn = []
    for number, (key, facts, found) in previous.items():
        unchanged = number in current and current[number][0] == key
        for candidate in found:
            if candidate.outcome_id not in announced or (unchanged and candidate.outcome_id in content.due):
                continue
            now = content.due.get(candidate.outcome_id)
            if now is not None and content_key(*now) == content_key(facts, candidate):
                continue
            old = materialize(facts, candidate)
            if content.of(candidate.outcome_id) != old:
                withdrawn.append(old)
    return withdrawn


def retire_at(state: LeadState, outcome_times: list[datetime], policy: Policy) -> datetime | None:
    """When a lead with nothing left to announce has been quiet for the horizon."""
    times = outcome_times + ([state.latest_event_at] if state.latest_event_at else [])
    return max(times) + policy.retire_after if times else None


def quiet_since(state: LeadState, policy: Policy) -> datetime | None:
    times = [c.at for _, _, found in derive(state, policy).values() for c in found]
    retire = retire_at(state, times, policy)
    return retire - policy.retire_after if retire else None


def _suffix(state: LeadState, outcome_id: str) -> str:
    return label(outcome_id[len(state.lead_id) + 1:])  # "1/opened": the same few for every lead


def _full_id(state: LeadState, suffix: str) -> str:
    return f"{state.lead_id}/{suffix}"


def _correction(withdrawn: Outcome, number: int) -> Outcome:
    return withdrawn.model_copy(
        update={
            "kind": "corrected",
            "outcome_id": f"{withdrawn.outcome_id}/corrected/{number}",
            "corrects": withdrawn.outcome_id,
        }
    )
