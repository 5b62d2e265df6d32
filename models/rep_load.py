"""Rep bandwidth: each rep's load now against the attempts a day they can make. Pure.

From the lead-state table, per rep (the lead's owner now) and team:

- ``handed_today``: leads handed (assigned or reassigned) to the rep today (local day of
  the goal zone): the method's "leads each rep gets";
- ``waiting``: leads waiting for the rep's first qualifying contact;
- ``unconnected``: leads in an open follow-up period nobody has connected with;
- ``attempts_made``: qualifying attempts on those leads so far in their period;
- ``attempts_needed``: attempts still missing to reach each one's depth target;
- ``needed_per_day``: those spread over the days each period has left (at least one):
  the attempts a day the rep must make to keep the agreement, to set against capacity.

Uses the cached per-lead facts of models.lead_snapshot; ``now`` is a parameter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable
from zoneinfo import ZoneInfo

from models.lead_snapshot import FactsCache
from models.lead_state import LeadState
from models.policy import Policy
from models.retirement import Retired
from models.verdicts import CycleFacts, qualifies

RepKey = tuple[str, str]  # (rep, team)
DAY = timedelta(days=1)


@dataclass
class RepLoad:
    handed_today: Counter = field(default_factory=Counter)
    waiting: Counter = field(default_factory=Counter)
    unconnected: Counter = field(default_factory=Counter)
    attempts_made: Counter = field(default_factory=Counter)
    attempts_needed: Counter = field(default_factory=Counter)
    needed_per_day: Counter = field(default_factory=Counter)

    def reps(self) -> set[RepKey]:
        return set(self.handed_today) | set(self.waiting) | set(self.unconnected)


def rep_load(states: Iterable[LeadState | Retired], policy: Policy, now: datetime, zone: ZoneInfo,
             cache: FactsCache) -> RepLoad:
    load = RepLoad()
    local = now.astimezone(zone)
    today = datetime(local.year, local.month, local.day, tzinfo=zone)
    for state in states:
        if isinstance(state, Retired):
            continue
        lead = cache.facts(state)
        facts = lead.latest_cycle
        if facts is None or facts.cycle.handoff_at > now or _returned(facts, now):
            continue
        for ownership in facts.cycle.owners:
            if today <= ownership.since <= now:
                load.handed_today[(ownership.rep, ownership.team)] += 1
        owner = facts.cycle.owner_at(now)
        key = (owner.rep, owner.team)
        if facts.clock_start <= now and facts.still_waiting_at(now):
            load.waiting[key] += 1
        _count_depth(facts, lead.summary, now, key, load)
    return load


def _returned(facts: CycleFacts, now: datetime) -> bool:
    return facts.cycle.returned_at is not None and facts.cycle.returned_at <= now


def _count_depth(facts: CycleFacts, summary, now: datetime, key: RepKey, load: RepLoad) -> None:
    ends = facts.period_end
    if ends is None or ends <= now:
        return
    so_far = [a for a in facts.cycle.attempts if a.occurred_at <= now]
    if any(a.connected for a in so_far) or summary.first_connected is not None:
        return
    made = summary.counted(facts.segment) + sum(1 for a in so_far if qualifies(a, facts.segment))
    missing = max(0, facts.segment.follow_up.attempts - made)
    load.unconnected[key] += 1
    load.attempts_made[key] += made
    load.attempts_needed[key] += missing
    load.needed_per_day[key] += missing / max(1.0, (ends - now) / DAY)
