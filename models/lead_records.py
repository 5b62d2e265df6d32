"""A lead's events as the core keeps them: small tuples with only what decisions read.

The pydantic events validate what crosses a topic; once valid, an event is kept (if it
must be kept at all) as one of these records, which are cheap to hold, compare and
write to a changelog. The field names match the events', so the fold reads either.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import NamedTuple

from models.events import ContactAttempt, LeadConverted, LeadEventBase, LeadHandoff

_KIND_RANK = {"lead_converted": 0, "handoff": 1, "contact_attempt": 2}
_ACTION_RANK = {"assign": 0, "reassign": 1, "return": 2}


class Conversion(NamedTuple):
    occurred_at: datetime
    event_id: str
    source: str
    segment: str
    offer: str | None = None
    persona: str | None = None
    quality: str | None = None
    value: float | None = None

    kind = "lead_converted"
    action = ""


class Handoff(NamedTuple):
    occurred_at: datetime
    event_id: str
    action: str
    owner_rep: str | None = None
    team: str | None = None
    segment: str | None = None

    kind = "handoff"


class Attempt(NamedTuple):
    occurred_at: datetime
    event_id: str
    automated: bool
    connected: bool

    kind = "contact_attempt"
    action = ""


Record = Conversion | Handoff | Attempt
SpineRecord = Conversion | Handoff  # the few events that shape a lead's cycles


def record_of(event: LeadEventBase) -> Record:
    if isinstance(event, ContactAttempt):
        return Attempt(event.occurred_at, event.event_id, event.automated, event.connected)
    if isinstance(event, LeadHandoff):
        return handoff(event.occurred_at, event.event_id, event.action, event.owner_rep, event.team, event.segment)
    if isinstance(event, LeadConverted):
        return conversion(event.occurred_at, event.event_id, event.source, event.segment,
                          event.offer, event.persona, event.quality, event.value)
    raise TypeError(f"not a lead event: {type(event).__name__}")


def conversion(occurred_at, event_id, source, segment, offer=None, persona=None, quality=None, value=None):
    return Conversion(occurred_at, event_id, label(source), label(segment), label(offer), label(persona),
                      label(quality), value)


def handoff(occurred_at, event_id, action, owner_rep=None, team=None, segment=None):
    return Handoff(occurred_at, event_id, label(action), label(owner_rep), label(team), label(segment))


def label(text: str | None) -> str | None:
    """One shared copy of a repeated label (a segment, a team, a rep): every lead holds
    a few, and a copy per lead was a third of a waiting lead's size."""
    return None if text is None else sys.intern(text)


def record_order(record: Record) -> tuple:
    """Event time first; at equal times conversion < handoff < attempt, so a call
    stamped in the same second as its handoff counts as after it."""
    action = getattr(record, "action", "")  # records and pydantic events alike
    return (record.occurred_at, _KIND_RANK[record.kind], _ACTION_RANK.get(action, 0), record.event_id)
