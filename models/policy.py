"""The SLA policy: a versioned spec validated into a frozen model.

Parsing text into this model (with errors that name line and field) lives in
``models.policy_file``; business-time arithmetic in ``models.calendar``. This
module only says what a valid policy is and how a lead finds its rules.
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta
from typing import Annotated, Literal, Protocol

from pydantic import Field, model_validator

from models.calendar import BusinessCalendar
from models.goal_groups import check_goal_groups, check_legacy_goals
from models.goal_spec import (  # noqa: F401 (the goal models are the policy's too: importable from here)
    WINDOW_MONTHS, ClosedLoopWindow, FixedInputs, GoalGroup, Goals, MarketingGoal, PaceAlert)
from models.policy_types import Duration, Frozen, MatchValue, Name

POLICY_VERSION = 1

# Limits far above any real agreement, so a typo or a generated file cannot make every
# lead's evaluation, every alert rule or every dashboard grow without bound (the goals' own
# limits are in models.goal_spec, names' and match lists' in models.policy_types).
MAX_ESCALATIONS = 10
MAX_SEGMENTS = 100
MAX_CALENDARS = 50
MAX_TEAMS = 500
MAX_MARKETING_GOALS = 100
SEGMENT_MEMO_SIZE = 4096  # distinct lead attribute sets remembered (models.policy.Policy.segment_for)
ClockKind = Literal["business", "24x7"]


class Escalation(Frozen):
    after: Duration = Field(description="Time after the breach, on the segment's clock.")
    notify: Name = Field(description="Who is paged at this level, e.g. manager.")


class SpeedToLead(Frozen):
    target: Duration
    clock: ClockKind = "business"
    warn_before: Duration | None = None
    escalations: tuple[Escalation, ...] = Field(default=(), max_length=MAX_ESCALATIONS)
    compliance_target: float = Field(default=0.9, gt=0, le=1,
                                     description="Share of leads that must meet the target (alert rule).")

    @model_validator(mode="after")
    def _ordered(self) -> "SpeedToLead":
        if self.target <= timedelta(0):
            raise ValueError("target must be longer than 0s")
        if self.warn_before is not None and not timedelta(0) < self.warn_before < self.target:
            raise ValueError("warn_before must be between 0s and the target")
        afters = [e.after for e in self.escalations]
        if afters != sorted(set(afters)) or any(a <= timedelta(0) for a in afters):
            raise ValueError("escalations must have distinct, increasing, positive 'after' times")
        return self


class FollowUp(Frozen):
    attempts: int = Field(ge=1, le=100, description="Attempts required within the period.")
    within: Duration = Field(description="The period; whole days count business days on a business clock.")
    clock: ClockKind = "business"
    compliance_target: float = Field(default=0.9, gt=0, le=1, description="Share of follow-up periods that must "
                                     "reach the target or a connect (depth compliance rule).")

    @model_validator(mode="after")
    def _positive(self) -> "FollowUp":
        if self.within <= timedelta(0):
            raise ValueError("within must be longer than 0s")
        return self


class Segment(Frozen):
    name: Name
    match: dict[Name, MatchValue] = Field(
        default_factory=dict, max_length=10,
        description="Lead attributes that must all match (a list means any of); empty matches every lead.",
    )
    speed_to_lead: SpeedToLead
    follow_up: FollowUp | None = None
    automated_touches_count: bool = False
    calendar: Name | None = None

    def matches(self, attributes: dict[str, str | None]) -> bool:
        for key, wanted in self.match.items():
            allowed = [wanted] if isinstance(wanted, str) else wanted
            if attributes.get(key) not in allowed:
                return False
        return True


class Team(Frozen):
    calendar: Name


class Capacity(Frozen):
    """How many contact attempts a rep can make in a day (rep bandwidth): the rep's own figure,
    else the team's (each rep of it), else ``attempts_per_day``; none: the rep's capacity is unknown."""

    attempts_per_day: float | None = Field(default=None, gt=0, le=10_000)
    teams: dict[Name, Annotated[float, Field(gt=0, le=10_000)]] = Field(default_factory=dict, max_length=MAX_TEAMS)
    reps: dict[Name, Annotated[float, Field(gt=0, le=10_000)]] = Field(default_factory=dict, max_length=2_000)

    def of(self, rep: str, team: str) -> float | None:
        return self.reps.get(rep) or self.teams.get(team) or self.attempts_per_day


# Fields a lead link may use; anything else in the template is a typo.
LEAD_URL_FIELDS = ("lead_id", "cycle", "team", "owner_rep", "segment")


class AlertPolicy(Frozen):
    """How per-lead alerts behave and how the aggregate alert rules are tuned."""

    lead_url_template: str = Field(default="https://crm.example.com/leads/{lead_id}", max_length=2000,
                                   description="Link to the lead in the CRM; fields: " + ", ".join(LEAD_URL_FIELDS))
    resolve_on_reassign: bool = Field(default=True, description="A new owner resolves the old owner's alerts.")
    resend_every: Duration = Field(default=timedelta(seconds=30), description="Re-send interval for live alerts.")
    keep_resolved_for: Duration = Field(default=timedelta(minutes=15),
                                        description="How long resolved alerts keep being re-sent.")
    compliance_window: Duration = Field(default=timedelta(days=1), description="Window of the compliance rule.")
    compliance_min_leads: int = Field(default=5, ge=1, description="Fewer decided leads than this: no ticket.")
    depth_notice_for: Duration = Field(default=timedelta(days=1), description="How long a per-lead depth-breach "
                                       "alert stays active in Alertmanager (a notice: no later outcome resolves it).")
    operations_team: Name = Field(default="platform",
                                 description="Team label of the pipeline's own alerts (stalled, dead letters).")

    @model_validator(mode="after")
    def _sane(self) -> "AlertPolicy":
        unknown = _template_fields(self.lead_url_template) - set(LEAD_URL_FIELDS)
        if unknown:
            raise ValueError(f"lead_url_template: unknown field(s) {sorted(unknown)} (known: {list(LEAD_URL_FIELDS)})")
        if not timedelta(seconds=1) <= self.resend_every <= timedelta(minutes=10):
            raise ValueError("resend_every must be between 1s and 10m")
        if self.keep_resolved_for < self.resend_every:
            raise ValueError("keep_resolved_for must be at least resend_every")
        if self.compliance_window < timedelta(minutes=5):
            raise ValueError("compliance_window must be at least 5m")
        if not timedelta(minutes=1) <= self.depth_notice_for <= timedelta(days=30):
            raise ValueError("depth_notice_for must be between 1m and 30d")
        return self


def _template_fields(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as error:
        raise ValueError(f"lead_url_template: {error}") from None


class Policy(Frozen):
    version: Annotated[int, Field(strict=True, ge=1, le=1)]
    allowed_lateness: Duration = Field(default=timedelta(seconds=30), le=timedelta(hours=24))
    retire_after: Duration = Field(
        default=timedelta(days=35),
        description="A lead with nothing left to announce, quiet this long, is retired to a tombstone; "
                    "later events for it go to dead letters. The default outlasts a month, so the "
                    "month-to-date marketing pace still sees every lead of the month.",
    )
    reassignment: Literal["keep_clock", "restart_clock"] = "keep_clock"
    default_calendar: Name
    calendars: dict[Name, BusinessCalendar] = Field(max_length=MAX_CALENDARS)
    teams: dict[Name, Team] = Field(default_factory=dict, max_length=MAX_TEAMS)
    segments: tuple[Segment, ...] = Field(min_length=1, max_length=MAX_SEGMENTS)
    marketing_goals: tuple[MarketingGoal, ...] = Field(default=(), max_length=MAX_MARKETING_GOALS)
    goals: Goals | None = None
    capacity: Capacity = Capacity()
    alerts: AlertPolicy = AlertPolicy()

    @model_validator(mode="after")
    def _references_exist(self) -> "Policy":
        if self.retire_after < max(timedelta(hours=1), 2 * self.allowed_lateness):
            raise ValueError("retire_after must be at least 1h and twice the allowed_lateness")
        named = [("default_calendar", self.default_calendar)]
        named += [(f"teams.{t}.calendar", team.calendar) for t, team in self.teams.items()]
        named += [(f"segments[{i}].calendar", s.calendar) for i, s in enumerate(self.segments) if s.calendar]
        for where, name in named:
            if name not in self.calendars:
                raise ValueError(f"{where}: unknown calendar {name!r} (known: {sorted(self.calendars)})")
        seen: set[str] = set()
        for index, segment in enumerate(self.segments):
            if segment.name in seen:
                raise ValueError(f"segments[{index}].name: duplicate segment name {segment.name!r}")
            seen.add(segment.name)
        if self.goals is not None:
            check_goal_groups(self)
        else:
            check_legacy_goals(self)
        for team in self.capacity.teams:
            if team not in self.teams:
                raise ValueError(f"capacity.teams: unknown team {team!r} (known: {sorted(self.teams)})")
        return self

    def segment_for(self, attributes: dict[str, str | None]) -> Segment | None:
        """First segment whose match fits the lead (order in the file is priority).
        Remembered per set of attributes: leads share a few, and every step asks."""
        key = tuple(attributes.items())
        memo = _segment_memo(self)
        if key not in memo:
            if len(memo) >= SEGMENT_MEMO_SIZE:
                memo.clear()
            memo[key] = next((s for s in self.segments if s.matches(attributes)), None)
        return memo[key]

    def calendar_for(self, segment: Segment, team: str | None) -> BusinessCalendar:
        """The team's calendar wins over the segment's, which wins over the default."""
        if team in self.teams:
            return self.calendars[self.teams[team].calendar]
        return self.calendars[segment.calendar or self.default_calendar]

    def at(self, moment: datetime) -> "Policy":
        """One policy file is in force always (see Policies)."""
        return self


class Policies(Protocol):
    """What the core judges under: the version in force at each lead cycle's handoff (``at``),
    and the two settings that are not per cycle, one value for every version. A ``Policy`` is
    its own only version; models.policy_history.PolicyHistory has several."""

    @property
    def allowed_lateness(self) -> timedelta: ...

    @property
    def retire_after(self) -> timedelta: ...

    def at(self, moment: datetime) -> Policy: ...


# Segment per attribute set, per policy (by identity; an entry holds its policy, so the id
# is not reused while it lives). Kept outside the model: pydantic compares private state.
_SEGMENT_MEMOS: dict[int, tuple[Policy, dict]] = {}


def _segment_memo(policy: Policy) -> dict:
    entry = _SEGMENT_MEMOS.get(id(policy))
    if entry is None or entry[0] is not policy:
        if len(_SEGMENT_MEMOS) >= 16:  # policies reloaded many times: start afresh
            _SEGMENT_MEMOS.clear()
        entry = _SEGMENT_MEMOS[id(policy)] = (policy, {})
    return entry[1]
