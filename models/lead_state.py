"""One lead's state and its two transitions: an event arrives, or time passes.

Outcomes are derived, then diffed against what was already announced: new or
changed ones are emitted, and an announced one that no longer holds (an
attempt stamped before the deadline arrived after the breach went out) is
withdrawn with a ``corrected`` outcome. Duplicated events change nothing.
"""

from __future__ import annotations

import bisect
from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, PrivateAttr

from models.cycles import event_order, fold
from models.events import ContactAttempt, LeadConverted, LeadHandoff
from models.outcomes import Outcome
from models.policy import Policy
from models.verdicts import candidates, next_time_after, resolve_facts

MAX_EVENTS_PER_LEAD = 2000


class LeadHistoryFull(ValueError):
    """A lead with thousands of events is a producer loop, not a sales process."""


class LeadState(BaseModel):
    model_config = ConfigDict(frozen=True)

    lead_id: str
    partition: int
    events: tuple[LeadConverted | LeadHandoff | ContactAttempt, ...] = ()
    announced: dict[str, Outcome] = {}
    corrections: int = 0
    next_due: AwareDatetime | None = None
    # Not stored: derived outcomes, valid while `events` (same tuple) and the policy are.
    _derived: tuple | None = PrivateAttr(default=None)

    def has_event(self, event_id: str) -> bool:
        return any(e.event_id == event_id for e in self.events)


def new_lead(lead_id: str, partition: int) -> LeadState:
    return LeadState(lead_id=lead_id, partition=partition)


def apply_event(state: LeadState, event, policy: Policy, watermark: datetime) -> tuple[LeadState, list[Outcome]]:
    """Add an event (ignored if already seen) and announce what is now due."""
    if state.has_event(event.event_id):
        return state, []
    if len(state.events) >= MAX_EVENTS_PER_LEAD:
        raise LeadHistoryFull(f"lead {state.lead_id} already has {MAX_EVENTS_PER_LEAD} events")
    events = list(state.events)
    keys = [event_order(e) for e in events]
    events.insert(bisect.bisect_right(keys, event_order(event)), event)
    return advance(state.model_copy(update={"events": tuple(events)}), policy, watermark)


def advance(state: LeadState, policy: Policy, watermark: datetime) -> tuple[LeadState, list[Outcome]]:
    """Re-derive the outcomes due by ``watermark`` and announce the difference."""
    all_candidates = derive(state, policy)
    due = {o.outcome_id: o for o in all_candidates if o.at <= watermark}
    withdrawn = [o for key, o in state.announced.items() if due.get(key) != o]
    fresh = sorted((o for key, o in due.items() if state.announced.get(key) != o), key=Outcome.sort_key)
    corrections = [
        _correction(old, state.corrections + n) for n, old in enumerate(withdrawn, start=1)
    ]
    new_state = state.model_copy(
        update={
            "announced": due,
            "corrections": state.corrections + len(corrections),
            "next_due": next_time_after(all_candidates, watermark),
        }
    )
    return new_state, corrections + fresh


def derive(state: LeadState, policy: Policy) -> list[Outcome]:
    """Every outcome the lead's events imply, due or not yet. Time passing does
    not change them, only new events do: remembered per events and policy."""
    cached = state._derived
    if cached is not None and cached[0] is state.events and cached[1] is policy:
        return cached[2]
    found = _derive(state, policy)
    state._derived = (state.events, policy, found)
    return found


def _derive(state: LeadState, policy: Policy) -> list[Outcome]:
    found: list[Outcome] = []
    for cycle in fold(state.events).cycles:
        facts = resolve_facts(state.lead_id, cycle, policy)
        if facts is not None:
            found += candidates(facts)
    return found


def _correction(withdrawn: Outcome, number: int) -> Outcome:
    return withdrawn.model_copy(
        update={
            "kind": "corrected",
            "outcome_id": f"{withdrawn.outcome_id}/corrected/{number}",
            "corrects": withdrawn.outcome_id,
        }
    )
