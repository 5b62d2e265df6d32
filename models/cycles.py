"""A lead's conversions and handoffs folded into handoff cycles by a transition table.

The fold runs over records sorted by event time, so the result does not depend on
arrival order. It sees the lead's conversions and handoffs (few, all kept) and the
attempts not yet behind the watermark; attempts already behind it are summarised per
cycle (models.attempts). Whether an attempt *qualifies* (automated touches) depends on
the segment, which is decided later, so the fold keeps every attempt it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Callable, Iterable

from models.lead_records import Attempt, Conversion, Handoff, Record, record_order

ATTRIBUTE_FIELDS = ("source", "segment", "offer", "persona", "quality")


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
    attempts: list[Attempt] = field(default_factory=list)  # those the fold was given (not yet summarised)
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
    next_number: int = 1


event_order = record_order


def fold(records: Iterable[Record], first_number: int = 1) -> Fold:
    """Records in event order; cycles are numbered from ``first_number`` (a lead retired
    and handed off again continues its count, so outcome ids are never reused)."""
    state = Fold(next_number=first_number)
    for record in records:
        TRANSITIONS[(state.phase, _signal(record))](state, record)
    return state


def _signal(record: Record) -> str:
    if record.kind == "handoff":
        return "return" if record.action == "return" else "assign"
    return "converted" if record.kind == "lead_converted" else "attempt"


# --- transition handlers: (fold state, event) -> None, mutating the fold ------------


def _record_attributes(state: Fold, event: Conversion) -> None:
    state.attributes = {name: getattr(event, name) for name in ATTRIBUTE_FIELDS}
    if state.phase is Phase.OPEN and not state.cycles[-1].attributes.get("source"):
        # The conversion is stamped after the handoff (odd, but it happens with
        # list imports): it is still the best description of this cycle's lead.
        state.cycles[-1].attributes = _with_handoff_segment(state.attributes, state.cycles[-1].attributes)


def _open_cycle(state: Fold, event: Handoff) -> None:
    attributes = _with_handoff_segment(state.attributes, {"segment": event.segment})
    owner = Ownership(event.occurred_at, event.owner_rep or "", event.team or "")
    state.cycles.append(Cycle(state.next_number, event.occurred_at, attributes, [owner]))
    state.next_number += 1
    state.phase = Phase.OPEN


def _change_owner(state: Fold, event: Handoff) -> None:
    state.cycles[-1].owners.append(Ownership(event.occurred_at, event.owner_rep or "", event.team or ""))


def _return(state: Fold, event: Handoff) -> None:
    state.cycles[-1].returned_at = event.occurred_at
    state.phase = Phase.RETURNED


def _record_attempt(state: Fold, event: Attempt) -> None:
    state.cycles[-1].attempts.append(event)


def _ignore(state: Fold, event: Record) -> None:
    """Touches before a handoff or after a return are outside any SLA clock."""


def _with_handoff_segment(attributes: dict, handoff: dict) -> dict:
    merged = dict(attributes)
    if handoff.get("segment"):
        merged["segment"] = handoff["segment"]
    return merged


Handler = Callable[[Fold, Record], None]
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
