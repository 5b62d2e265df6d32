"""Small builders shared by the pure tests: events, ticks, times in New York, policies.

Event ids are derived from the event's content, so building the same event twice
gives the same id (a duplicate), and tests read like the CRM records they stand for.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import lru_cache
from importlib.resources import files
from zoneinfo import ZoneInfo

from models.events import ContactAttempt, LeadConverted, LeadHandoff, Tick
from models.lead_state import EPOCH_WATERMARK, LeadState, advance, all_outcomes, apply_event, new_lead
from models.outcomes import Outcome
from models.policy import Policy
from models.policy_file import parse_policy

NEW_YORK = ZoneInfo("America/New_York")
LEAD = "lead-1"


def et(day: int, hour: int, minute: int = 0, second: int = 0, month: int = 6) -> datetime:
    """Wall time in New York in June 2026 (EDT, UTC-4): Mon 1, Fri 5, Sat 6, Mon 8, Fri 12."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=NEW_YORK)


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _stamp(at: datetime) -> str:
    return utc(at).strftime("%Y%m%dT%H%M%S")


@lru_cache(maxsize=1)
def example_policy() -> Policy:
    return parse_policy(files("models").joinpath("example_policy.yaml").read_text(), "example_policy.yaml")


def example_with(old: str, new: str) -> Policy:
    text = files("models").joinpath("example_policy.yaml").read_text()
    assert old in text, f"test setup: {old!r} is not in the example policy"
    return parse_policy(text.replace(old, new, 1), "variant.yaml")


def converted(
    at: datetime,
    lead: str = LEAD,
    *,
    source: str = "marketing",
    segment: str = "enterprise",
    offer: str | None = "demo-request",
    event_id: str | None = None,
) -> LeadConverted:
    return LeadConverted(
        schema_version=1,
        event_id=event_id or f"{lead}:conv:{_stamp(at)}:{segment}",
        lead_id=lead,
        occurred_at=at,
        source=source,
        segment=segment,
        offer=offer,
    )


def handoff(
    at: datetime,
    lead: str = LEAD,
    *,
    action: str = "assign",
    rep: str | None = "rep-a",
    team: str | None = "enterprise",
    segment: str | None = None,
    event_id: str | None = None,
) -> LeadHandoff:
    if action == "return":
        rep = team = None
    return LeadHandoff(
        schema_version=1,
        event_id=event_id or f"{lead}:{action}:{_stamp(at)}:{rep}",
        lead_id=lead,
        occurred_at=at,
        action=action,
        owner_rep=rep,
        team=team,
        segment=segment,
    )


def reassign(at: datetime, rep: str, lead: str = LEAD, *, team: str = "enterprise") -> LeadHandoff:
    return handoff(at, lead, action="reassign", rep=rep, team=team)


def give_back(at: datetime, lead: str = LEAD) -> LeadHandoff:
    return handoff(at, lead, action="return")


def attempt(
    at: datetime,
    lead: str = LEAD,
    *,
    rep: str = "rep-a",
    channel: str = "call",
    outcome: str = "no_answer",
    automated: bool = False,
    event_id: str | None = None,
) -> ContactAttempt:
    return ContactAttempt(
        schema_version=1,
        event_id=event_id or f"{lead}:try:{_stamp(at)}:{rep}:{channel}:{int(automated)}",
        lead_id=lead,
        occurred_at=at,
        rep=rep,
        channel=channel,
        outcome=outcome,
        automated=automated,
    )


def tick(at: datetime, partition: int = 0) -> Tick:
    return Tick(schema_version=1, at=at, partition=partition)


def clock_at(watermark: datetime, partition: int = 0, policy: Policy | None = None) -> Tick:
    """The tick that puts the partition's watermark at exactly ``watermark``."""
    return tick(watermark + (policy or example_policy()).allowed_lateness, partition)


def as_json_line(event) -> str:
    return json.dumps(json.loads(event.model_dump_json(exclude_none=True)))


# --- running a lead through the pure core -----------------------------------------------------


def outcomes_of(events, policy: Policy | None = None, lead: str = LEAD) -> list[Outcome]:
    """Every outcome the events imply once time has passed all of them (order irrelevant)."""
    state, _ = feed(events, EPOCH_WATERMARK, policy, lead)
    return sorted(all_outcomes(state, policy or example_policy()), key=Outcome.sort_key)


def by_id(outcomes) -> dict[str, Outcome]:
    found = {o.outcome_id: o for o in outcomes}
    assert len(found) == len(outcomes), "outcome ids must be unique"
    return found


def kinds(outcomes) -> list[str]:
    return [o.kind for o in outcomes]


def ids(outcomes) -> list[str]:
    return [o.outcome_id for o in outcomes]


def feed(events, watermark: datetime, policy: Policy | None = None, lead: str = LEAD):
    """apply_event each event in the given (arrival) order at one watermark."""
    state, emitted = new_lead(lead, 0), []
    for event in events:
        state, out = apply_event(state, event, policy or example_policy(), watermark)
        emitted += out
    return state, emitted


def advance_to(state: LeadState, watermark: datetime, policy: Policy | None = None):
    return advance(state, policy or example_policy(), watermark)
