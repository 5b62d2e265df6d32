"""Retiring a lead that can announce nothing more, and what an event for it may do.

A lead with nothing left to announce, quiet (no event, no outcome) for the policy's
``retire_after`` horizon, is replaced by a tombstone of a few fields. The tombstone
keeps outcome ids unique: a lead handed off again continues its cycle count. An
event stamped before the lead went quiet comes too late to change anything and is
rejected with its reason (a dead letter), never dropped silently. Live and replay
apply the same rule because both run this code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.events import LeadEventBase, LeadHandoff
from models.lead_state import LeadState, quiet_since
from models.policy import Policies

REJECTED_RETIRED = "lead_retired"


@dataclass(frozen=True, slots=True)
class Retired:
    lead_id: str
    partition: int
    cycles: int  # cycles the lead had: the next one is cycles + 1
    corrections: int
    quiet_since: datetime  # latest event or outcome time of the lead when it retired

    next_due = None  # a tombstone has nothing to announce


def due_for_retirement(state: LeadState, watermark: datetime) -> bool:
    """``next_due`` of a lead with nothing left to announce is its retirement time."""
    return state.next_due is not None and state.next_due <= watermark and not state.pending


def retire(state: LeadState, policies: Policies) -> Retired:
    cycles = state.cycles()
    last = cycles[-1].number if cycles else state.first_cycle - 1
    return Retired(state.lead_id, state.partition, last, state.corrections, quiet_since(state, policies))


def revive(tombstone: Retired, event: LeadEventBase) -> LeadState | str:
    """A fresh state for a retired lead that converts or is handed off again, or the
    reason the event is rejected."""
    stamped = event.occurred_at.isoformat()
    if event.occurred_at <= tombstone.quiet_since:
        return (f"lead {tombstone.lead_id} was retired after its last activity at "
                f"{tombstone.quiet_since.isoformat()}; this {event.kind} stamped {stamped} is too late to change "
                f"its outcomes")
    starts_anew = event.kind == "lead_converted" or (isinstance(event, LeadHandoff) and event.action == "assign")
    if not starts_anew:
        return (f"lead {tombstone.lead_id} was retired (quiet since {tombstone.quiet_since.isoformat()}); "
                f"a {event.kind} stamped {stamped} needs a new conversion or assignment first")
    return LeadState(lead_id=tombstone.lead_id, partition=tombstone.partition,
                     first_cycle=tombstone.cycles + 1, corrections=tombstone.corrections)
