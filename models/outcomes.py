"""What the tracker decides about a lead, with the evidence to check it by hand."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from models.events import Message

OutcomeKind = Literal[
    "opened",  # handed off: the clock runs, here is the deadline
    "reassigned",  # a new owner while the lead still waits
    "warning",  # the pre-breach point passed with no qualifying contact
    "breached",  # the deadline passed with no qualifying contact
    "escalated",  # an escalation point after the breach passed, still no contact
    "met",  # first qualifying contact at or before the deadline
    "contacted_late",  # first qualifying contact after the deadline
    "returned",  # given back to Marketing: the clocks stop
    "depth_breached",  # the follow-up period ended with too few attempts and no connect
    "corrected",  # an outcome announced earlier no longer holds (late-arriving data)
]

# Outcomes that end the wait: an alert about the lead's speed-to-lead resolves.
WAIT_ENDING = frozenset({"met", "contacted_late", "returned"})


class Outcome(Message):
    kind: OutcomeKind
    outcome_id: str = Field(description="Stable identity: lead/cycle/kind[/level][/vN]; one content for ever.")
    lead_id: str
    cycle: int = Field(ge=1, description="1 for the first handoff; a recycled lead starts a new cycle.")
    at: AwareDatetime = Field(description="Event time at which the outcome holds.")
    team: str
    owner_rep: str
    segment: str
    source: Literal["marketing", "sales"] | None = None
    clock: Literal["business", "24x7"]
    handoff_at: AwareDatetime
    deadline_at: AwareDatetime
    level: int | None = Field(default=None, description="Escalation level, 1-based.")
    notify: str | None = None
    contact_at: AwareDatetime | None = None
    wall_seconds: float | None = Field(default=None, description="Wall-clock time from handoff to `at`.")
    business_seconds: float | None = Field(default=None, description="Same, on the segment's clock.")
    attempts: int | None = None
    corrects: str | None = Field(default=None, description="outcome_id of the withdrawn outcome.")

    def sort_key(self) -> tuple[datetime, str]:
        return (self.at, self.outcome_id)


def withdrawn_kind(correction: Outcome) -> str:
    """The kind of the outcome a ``corrected`` withdraws, read from its id ``lead/cycle/kind[/n]``."""
    rest = (correction.corrects or "").removeprefix(f"{correction.lead_id}/{correction.cycle}/")
    return rest.split("/", 1)[0]
