"""The four input events, exactly as the CRM and marketing automation emit them.

Every message is a frozen pydantic model carrying ``schema_version`` and an
``event_id`` (the idempotency key). Validation is strict: no value is coerced
(``"yes"`` is not a boolean, ``"52000"`` not a number, a number not a time); ids are
printable and bounded (models.field_types). Timestamps must be timezone-aware and
plausible: an event dated in 1970 or 2200 is a producer bug, not a lead.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from models.field_types import Amount, Identifier, Label, Text, Timestamp

SCHEMA_VERSION = 1
EARLIEST_PLAUSIBLE = datetime(2000, 1, 1, tzinfo=timezone.utc)
LATEST_PLAUSIBLE = datetime(2100, 1, 1, tzinfo=timezone.utc)
MAX_MESSAGE_BYTES = 64 * 1024



class Message(BaseModel):
    """Base of every message that crosses a topic: frozen, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1] = Field(
        description="Version of the message schema; only 1 exists, anything else is rejected."
    )


class LeadEventBase(Message):
    # Strict: a producer that sends "yes" for a boolean has a bug we should show, not guess around.
    model_config = ConfigDict(strict=True)

    event_id: Identifier
    lead_id: Identifier
    occurred_at: Timestamp

    @field_validator("occurred_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        if not EARLIEST_PLAUSIBLE <= value < LATEST_PLAUSIBLE:
            raise ValueError(
                f"timestamp {value.isoformat()} is outside the plausible range "
                f"{EARLIEST_PLAUSIBLE.year}..{LATEST_PLAUSIBLE.year - 1}"
            )
        return value.astimezone(timezone.utc)


class LeadConverted(LeadEventBase):
    """A lead is created by a conversion (form fill, demo request, list import...)."""

    kind: Literal["lead_converted"] = "lead_converted"
    source: Literal["marketing", "sales"]
    segment: Label
    offer: Label | None = None
    persona: Label | None = None
    quality: Label | None = None
    value: Amount | None = None


class LeadHandoff(LeadEventBase):
    """The lead is presented to Sales (assign), moved to another owner (reassign),
    or given back to Marketing (return: disqualified or recycled), which stops its clocks."""

    kind: Literal["handoff"] = "handoff"
    action: Literal["assign", "reassign", "return"] = "assign"
    owner_rep: Identifier | None = None
    team: Label | None = None
    segment: Label | None = Field(
        default=None, description="Segment as known at handoff; overrides the conversion's."
    )
    reason: Text | None = None

    @model_validator(mode="after")
    def _owner_for_assignment(self) -> "LeadHandoff":
        if self.action in ("assign", "reassign") and (self.owner_rep is None or self.team is None):
            raise ValueError(f"a handoff with action {self.action!r} needs owner_rep and team")
        return self


class ContactAttempt(LeadEventBase):
    """A sales touch on a lead."""

    kind: Literal["contact_attempt"] = "contact_attempt"
    rep: Identifier
    channel: Literal["call", "email", "sms", "social", "meeting", "chat", "other"]
    outcome: Literal["connected", "no_answer", "voicemail", "bounced", "replied", "other"]
    automated: bool = False

    @property
    def connected(self) -> bool:
        return self.outcome in ("connected", "replied")


class DealClosed(LeadEventBase):
    """A deal won or lost, linked to the lead it came from: the closed loop of the marketing goal.

    ``event_id`` is the record's idempotency key; ``deal_id`` names the deal, so a deal
    reopened and closed again is two records of one deal (the later one holds).
    ``occurred_at`` is when the deal closed. The amount is a plain number, no currency."""

    kind: Literal["deal_closed"] = "deal_closed"
    deal_id: Identifier
    status: Literal["won", "lost"]
    amount: Amount

    @property
    def won(self) -> bool:
        return self.status == "won"


LeadEvent = Annotated[Union[LeadConverted, LeadHandoff, ContactAttempt], Field(discriminator="kind")]
LEAD_EVENT = TypeAdapter(LeadEvent)

EVENT_TYPE_BY_KIND: dict[str, type[LeadEventBase]] = {
    "lead_converted": LeadConverted,
    "handoff": LeadHandoff,
    "contact_attempt": ContactAttempt,
    "deal_closed": DealClosed,
}
# The kinds the SLA tracker steps on; a deal feeds the marketing goal (models.closed_loop), not a lead's clocks.
TRACKED_KINDS = frozenset({"lead_converted", "handoff", "contact_attempt"})


class Tick(Message):
    """Time passing on one partition, as a record in the log: "every input record of this
    partition stamped up to ``at`` has been read". The watermark advances on ticks in quiet
    periods, and because ticks are persisted a replay sees the same clock."""

    model_config = ConfigDict(strict=True)

    kind: Literal["tick"] = "tick"
    at: Timestamp
    partition: int = Field(ge=0)


TimelineEntry = Annotated[Union[LeadConverted, LeadHandoff, ContactAttempt, Tick], Field(discriminator="kind")]
TIMELINE_ENTRY = TypeAdapter(TimelineEntry)
