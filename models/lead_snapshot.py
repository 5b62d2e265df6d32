"""What the lead-state table says right now: leads waiting, follow-up depth.

Counters answer "how many happened"; these answer "how are things now", so they are
recomputed from the table (the truth, which survives restarts) rather than kept as
running totals. Keys are the raw team and segment names of the events; bounding them
into metric labels is the caller's business.

Pure: ``now`` is a parameter. (The marketing waterfall, by event time, is models.waterfall.)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable

from models.attempts import EMPTY, AttemptSummary
from models.lead_state import LeadState
from models.policy import Policies
from models.retirement import Retired
from models.verdicts import CycleFacts, qualifies, resolve_facts

TeamSegment = tuple[str, str]


@dataclass
class LeadSnapshot:
    now: datetime
    leads: int = 0  # leads in the table, tombstones not counted
    retired: int = 0  # tombstones of retired leads in the table
    waiting: Counter = field(default_factory=Counter)  # (team, segment, "on_time"|"overdue") -> leads
    oldest_wait_seconds: dict[str, float] = field(default_factory=dict)  # team -> age of its oldest waiting lead
    unconnected: Counter = field(default_factory=Counter)  # (team, segment, "open"|"ended") -> leads
    unconnected_attempts: Counter = field(default_factory=Counter)  # same key -> qualifying attempts in period
    follow_up_ended: Counter = field(default_factory=Counter)  # (team, segment, "met"|"breached") -> lead cycles


@dataclass(frozen=True)
class LeadFacts:
    """What the snapshot needs of one lead that depends only on its events, not on "now"."""

    latest_cycle: CycleFacts | None
    summary: AttemptSummary  # the latest cycle's attempts behind the watermark


class FactsCache:
    """Lead id -> facts, recomputed only when the lead's state changes: the table is read every
    few seconds, and resolving every lead's cycles each time would stall a worker with many leads."""

    def __init__(self, policies: Policies) -> None:
        self.policies = policies
        self._facts: dict[str, tuple[tuple[str, ...], LeadFacts]] = {}

    def facts(self, state: LeadState) -> LeadFacts:
        key = (state.spine, state.pending, state.summaries)
        cached = self._facts.get(state.lead_id)
        if cached is None or cached[0] != key:
            cached = (key, lead_facts(state, self.policies))
            self._facts[state.lead_id] = cached
        return cached[1]

    def retain(self, lead_ids: set[str]) -> None:
        for lead_id in set(self._facts) - lead_ids:
            del self._facts[lead_id]


def lead_facts(state: LeadState, policies: Policies) -> LeadFacts:
    """The latest cycle's facts, judged by the version in force at its handoff."""
    cycles = state.cycles()
    summary = state.summary(cycles[-1].number) if cycles else EMPTY
    facts = resolve_facts(state.lead_id, cycles[-1], policies, summary) if cycles else None
    return LeadFacts(facts, summary)


def summarize(states: Iterable[LeadState], policies: Policies, now: datetime,
              cache: FactsCache | None = None) -> LeadSnapshot:
    """One pass over the table."""
    cache = cache or FactsCache(policies)
    snapshot = LeadSnapshot(now=now)
    seen = set()
    for state in states:
        if isinstance(state, Retired):
            snapshot.retired += 1  # long quiet: neither waiting nor in a follow-up period
            continue
        seen.add(state.lead_id)
        lead = cache.facts(state)
        snapshot.leads += 1
        facts = lead.latest_cycle
        if facts is not None:
            _count_depth_result(facts, now, snapshot)
        if facts is not None and not _returned_by(facts, now):
            _count_waiting(facts, now, snapshot)
            _count_follow_up(facts, lead.summary, now, snapshot)
    cache.retain(seen)
    return snapshot


def _returned_by(facts: CycleFacts, now: datetime) -> bool:
    return facts.cycle.returned_at is not None and facts.cycle.returned_at <= now


def _count_waiting(facts: CycleFacts, now: datetime, snapshot: LeadSnapshot) -> None:
    if facts.clock_start > now or not facts.still_waiting_at(now):
        return
    team = facts.cycle.owner_at(now).team
    status = "overdue" if now > facts.deadline else "on_time"
    snapshot.waiting[(team, facts.segment.name, status)] += 1
    age = (now - facts.clock_start).total_seconds()
    snapshot.oldest_wait_seconds[team] = max(age, snapshot.oldest_wait_seconds.get(team, 0.0))


def ended_lately(facts: CycleFacts, now: datetime) -> bool:
    """The follow-up period ended within the last period length: depth is judged over a
    timeframe (leads older than their period, but not by much), not over every lead kept."""
    ends = facts.period_end
    return ends is not None and ends <= now and now - ends < ends - facts.cycle.handoff_at


def _count_depth_result(facts: CycleFacts, now: datetime, snapshot: LeadSnapshot) -> None:
    """Each cycle whose period ended lately, as the core judged it (``depth_shortfall``); a
    cycle returned to Marketing before its period ended is not judged."""
    returned = facts.cycle.returned_at
    if not ended_lately(facts, now) or (returned is not None and returned <= facts.period_end):
        return
    result = "met" if facts.depth_shortfall is None else "breached"
    snapshot.follow_up_ended[(facts.cycle.owner_at(facts.period_end).team, facts.segment.name, result)] += 1


def _count_follow_up(facts: CycleFacts, summary: AttemptSummary, now: datetime, snapshot: LeadSnapshot) -> None:
    """Unconnected leads and their qualifying attempts within the follow-up period, split by
    whether the period is still open: the ended ones are what the depth target is judged on.
    Summarised attempts are all behind the watermark, so before ``now``."""
    period_end = facts.period_end
    if period_end is None or facts.cycle.handoff_at > now or (period_end <= now and not ended_lately(facts, now)):
        return
    so_far = [a for a in facts.cycle.attempts if a.occurred_at <= now]
    if any(a.connected for a in so_far) or summary.first_connected is not None:
        return
    counted = summary.counted(facts.segment)
    counted += sum(1 for a in so_far if a.occurred_at <= period_end and qualifies(a, facts.segment))
    key = (facts.cycle.owner_at(now).team, facts.segment.name, "open" if now < period_end else "ended")
    snapshot.unconnected[key] += 1
    snapshot.unconnected_attempts[key] += counted
