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
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone

from models.attempts import EMPTY, AttemptSummary, period_ends, summarise
from models.cycles import Cycle, fold
from models.events import LeadEventBase
from models.lead_records import Attempt, Record, SpineRecord, record_of, record_order
from models.outcomes import Outcome
from models.policy import Policies
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
    versions: tuple[tuple[str, int], ...] = ()  # withdrawn ids -> version their next content gets
    corrections: int = 0
    first_cycle: int = 1  # number of the lead's first cycle kept here (retired ones came before)
    latest_event_at: datetime | None = None
    next_due: datetime | None = None  # next outcome time, or the retirement time
    # Not stored: (policies, {cycle number: (facts key, candidates)}) derived from this state.
    memo: tuple | None = field(default=None, compare=False, repr=False)

    def summary(self, cycle_number: int) -> AttemptSummary:
        return next((s for n, s in self.summaries if n == cycle_number), EMPTY)

    def has_seen(self, record: Record) -> bool:
        if record.kind != "contact_attempt":
            return any(r.event_id == record.event_id for r in self.spine)
        return record.event_id in self.recent_ids or any(a.event_id == record.event_id for a in self.pending)

    def cycles(self) -> list[Cycle]:
        """The spine's cycles (folded once per spine), each with its pending attempts: an
        attempt belongs to the cycle open at its time, which is what folding the attempts
        in with the spine would decide."""
        cycles = spine_cycles(self.spine, self.first_cycle)
        if not self.pending:
            return cycles
        attempts: dict[int, list[Attempt]] = {}
        for attempt in self.pending:
            cycle = _cycle_at(cycles, attempt.occurred_at)
            if cycle is not None:
                attempts.setdefault(cycle.number, []).append(attempt)
        return [_with_attempts(c, attempts[c.number]) if c.number in attempts else c for c in cycles]


# Folded spines of recently active leads, by identity: a spine changes only with a conversion
# or a handoff, while each attempt and each tick asks for its cycles again. An entry holds its
# spine, so the id cannot be reused while the entry lives.
_SPINE_FOLDS: OrderedDict[int, tuple[tuple, int, list[Cycle]]] = OrderedDict()
_SPINE_FOLDS_KEPT = 4096


def spine_cycles(spine: tuple, first_cycle: int) -> list[Cycle]:
    """The cycles of a spine, with no attempts. Shared: callers must not change them."""
    entry = _SPINE_FOLDS.get(id(spine))
    if entry is not None and entry[0] is spine and entry[1] == first_cycle:
        return entry[2]
    cycles = fold(spine, first_cycle).cycles
    _SPINE_FOLDS[id(spine)] = (spine, first_cycle, cycles)
    if len(_SPINE_FOLDS) > _SPINE_FOLDS_KEPT:
        _SPINE_FOLDS.popitem(last=False)
    return cycles


def _with_attempts(cycle: Cycle, attempts: list[Attempt]) -> Cycle:
    return Cycle(cycle.number, cycle.handoff_at, cycle.attributes, cycle.owners, attempts, cycle.returned_at)


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


def apply_event(state: LeadState, event: LeadEventBase, policies: Policies,
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
    return _announce(state, settle(grown, policies, watermark), policies, watermark)


def advance(state: LeadState, policies: Policies, watermark: datetime) -> tuple[LeadState, list[Outcome]]:
    """Time passes: announce the outcomes due by ``watermark``."""
    return _announce(state, settle(state, policies, watermark), policies, watermark)


def settle(state: LeadState, policies: Policies, watermark: datetime) -> LeadState:
    """Summarise the attempts the watermark has passed: their cycle can no longer change."""
    if not state.pending or state.pending[0].occurred_at >= watermark:
        return state
    passed = [a for a in state.pending if a.occurred_at < watermark]
    summaries = dict(state.summaries)
    cycles = spine_cycles(state.spine, state.first_cycle)
    ends: dict[int, dict[str, datetime]] = {}  # cycle number -> its follow-up period ends
    for attempt in passed:
        cycle = _cycle_at(cycles, attempt.occurred_at)
        if cycle is not None:  # before any handoff or after a return: outside every clock
            if cycle.number not in ends:
                ends[cycle.number] = period_ends(policies, cycle.owners[0].team, cycle.handoff_at)
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


def derive(state: LeadState, policies: Policies) -> Derived:
    """Every outcome the state implies, due or not, per cycle with the facts that decided
    them. A cycle whose facts did not change keeps its candidates."""
    memo = state.memo
    if memo is not None and memo[0] is policies and memo[2] is state.spine and memo[3] is state.pending \
            and memo[4] is state.summaries:
        return memo[1]
    before = memo[1] if memo is not None and memo[0] is policies else {}
    derived: Derived = {}
    for cycle in state.cycles():
        facts = resolve_facts(state.lead_id, cycle, policies, state.summary(cycle.number))
        if facts is None:
            continue
        known = before.get(cycle.number)
        key = facts.key
        derived[cycle.number] = (key, facts, known[2]) if known and known[0] == key else (key, facts, candidates(facts))
    object.__setattr__(state, "memo", (policies, derived, state.spine, state.pending, state.summaries))
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


def all_outcomes(state: LeadState, policies: Policies) -> list[Outcome]:
    """Every outcome the state implies, due or not, with its content."""
    return [materialize(facts, c) for _, facts, found in derive(state, policies).values() for c in found]


def _announce(before: LeadState, after: LeadState, policies: Policies,
              watermark: datetime) -> tuple[LeadState, list[Outcome]]:
    if after.memo is None and before.memo is not None:
        object.__setattr__(after, "memo", (policies, before.memo[1], None, None, None))
    previous = derive(before, policies) if before.announced else {}
    current = derive(after, policies)
    derived = {c.suffix: (facts, c) for _, facts, found in current.values() for c in found}
    due = [local for local, (_, candidate) in derived.items() if candidate.at <= watermark]
    announced = set(before.announced)
    versions = dict(before.versions)
    content = _Contents(derived)
    # Time passing alone (the same derivation) withdraws nothing: what was due stays due.
    withdrawn = [] if current is previous else _withdrawn(previous, current, announced, versions, content)
    corrections = [_correction(_renamed(old, _name(old_id, versions)), before.corrections + n)
                   for n, (old_id, old) in enumerate(withdrawn, start=1)]
    kept = announced - {_name(old_id, versions) for old_id, _ in withdrawn}
    for old_id, _ in withdrawn:  # its next content gets a new id: an id never names two contents
        versions[old_id] = versions.get(old_id, 1) + 1
    names = {local: _name(local, versions) for local in derived}
    fresh = [_renamed(content.of(local), names[local]) for local in due if names[local] not in kept]
    # What still holds stays announced, due or not: a worker that recovers a clock older than
    # its lead states (two changelogs, not written atomically) must not announce it again.
    now_announced = {names[local] for local in due} | (set(names.values()) & kept)
    times = [c.at for _, _, found in current.values() for c in found]
    later = [t for t in times if t > watermark]
    settled = after if after is not before else replace(after)  # ``after`` is new: finished in place
    _set(settled, announced=tuple(sorted(now_announced)),
         versions=tuple(sorted(versions.items())) if withdrawn else before.versions,
         corrections=before.corrections + len(corrections),
         next_due=min(later) if later else retire_at(after, times, policies))
    return settled, corrections + sorted(fresh, key=Outcome.sort_key)


def _set(state: LeadState, **changes) -> None:
    for name, value in changes.items():
        object.__setattr__(state, name, value)


def _name(local_id: str, versions: dict[str, int]) -> str:
    """The id an outcome is announced under: ``1/opened``, or ``1/opened/v2`` once the first
    ``1/opened`` was withdrawn and its content changed."""
    version = versions.get(local_id)
    return local_id if version is None else f"{local_id}/v{version}"


def _renamed(outcome: Outcome, local_id: str) -> Outcome:
    full_id = f"{outcome.lead_id}/{local_id}"
    return outcome if outcome.outcome_id == full_id else outcome.model_copy(update={"outcome_id": full_id})


class _Contents:
    """Derived outcomes' content (under their first id), built once and only when needed."""

    def __init__(self, derived: dict[str, tuple[CycleFacts, Candidate]]) -> None:
        self.derived = derived
        self._built: dict[str, Outcome] = {}

    def of(self, local_id: str) -> Outcome | None:
        if local_id not in self.derived:
            return None
        if local_id not in self._built:
            self._built[local_id] = materialize(*self.derived[local_id])
        return self._built[local_id]


def _withdrawn(previous: Derived, current: Derived, announced: set[str], versions: dict[str, int],
               content: _Contents) -> list[tuple[str, Outcome]]:
    """Announced outcomes that no longer hold as announced, in the order they were derived,
    as (first local id, content). A cycle whose facts are unchanged announces the same
    content: nothing to compare; nor does a candidate whose content key is unchanged (the
    usual case: a first contact changes a cycle's facts, not its ``opened`` outcome). An id
    the previous state cannot derive (only if the policy changed under it) is kept while it
    still holds: an outcome id never gets a second content."""
    withdrawn = []
    for number, (key, facts, found) in previous.items():
        unchanged = number in current and current[number][0] == key
        for candidate in found:
            local = candidate.suffix
            if unchanged or _name(local, versions) not in announced:
                continue
            now = content.derived.get(local)
            if now is not None and content_key(*now) == content_key(facts, candidate):
                continue
            old = materialize(facts, candidate)
            if content.of(local) != old:
                withdrawn.append((local, old))
    return withdrawn


def retire_at(state: LeadState, outcome_times: list[datetime], policies: Policies) -> datetime | None:
    """When a lead with nothing left to announce has been quiet for the horizon."""
    times = outcome_times + ([state.latest_event_at] if state.latest_event_at else [])
    return max(times) + policies.retire_after if times else None


def quiet_since(state: LeadState, policies: Policies) -> datetime | None:
    times = [c.at for _, _, found in derive(state, policies).values() for c in found]
    retire = retire_at(state, times, policies)
    return retire - policies.retire_after if retire else None


def _correction(withdrawn: Outcome, number: int) -> Outcome:
    return withdrawn.model_copy(
        update={
            "kind": "corrected",
            "outcome_id": f"{withdrawn.outcome_id}/corrected/{number}",
            "corrects": withdrawn.outcome_id,
        }
    )
