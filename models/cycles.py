"""A lead's history folded into handoff cycles by a transition table.

The fold runs over the lead's events sorted by event time, so the result does
not depend on arrival order. Whether an attempt *qualifies* (automated touches)
depends on the segment, which is decided later, so the fold keeps every attempt.
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
