"""The tracker: lead events and ticks in, outcomes out, for the partitions it owns.

Storage is injected (a Faust table in the worker, a dict in ``evaluate``), so the
live pipeline and the offline evaluation run this very code. Each partition has
its own watermark: the latest tick time seen on it, minus the allowed lateness
(models.partition_clock). Only ticks move it, never events: a tick promises that
every input record of its partition stamped before its time has been read, while an
event's own time promises nothing about the other topics, which Faust merges
round-robin. A due-heap per partition finds the leads whose next outcome the
watermark has reached; it lives in memory and is rebuilt from the store after a
rebalance, because the store (with its changelog) is the truth.
"""

from __future__ import annotations

import heapq
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Iterable, MutableMapping

from models.events import LeadEventBase, Tick
from models.lead_state import LeadState, advance, apply_event, give_memo, new_lead, take_memo
from models.outcomes import Outcome
from models.partition_clock import EPOCH, PartitionClock
from models.policy import Policies
from models.retirement import Retired, due_for_retirement, retire, revive

# Derived outcomes are remembered for this many recently active leads, not for every lead
# in the table: they are ten times the size of the state and cheap to derive again.
REMEMBERED_LEADS = 2048


@dataclass
class StepResult:
    outcomes: list[Outcome] = field(default_factory=list)
    duplicate: bool = False
    watermark: datetime = EPOCH
    rejected: str | None = None  # why the event was refused (it goes to dead letters)


class Tracker:
    def __init__(
        self,
        policies: Policies,
        leads: MutableMapping[str, LeadState | Retired],
        latest_seen: MutableMapping[str, float],
    ) -> None:
        """``policies``: a policy, or a history judging each lead cycle by the version in force
        at its handoff (models.policy_history). ``latest_seen``: each partition's latest tick
        (models.partition_clock)."""
        self.policies = policies
        self.leads = leads
        self.clock = PartitionClock(latest_seen, policies.allowed_lateness)
        self._due: dict[int, list[tuple[datetime, str]]] = {}
        self._compacted: dict[int, int] = {}  # each heap's size when last built or compacted
        self._memos: OrderedDict[str, tuple] = OrderedDict()

    def watermark(self, partition: int) -> datetime:
        return self.clock.watermark(partition)

    def on_entry(self, partition: int, entry: LeadEventBase | Tick) -> StepResult:
        if isinstance(entry, Tick):
            self.clock.claim(partition, entry.at)
        watermark = self.watermark(partition)
        result = StepResult(watermark=watermark)
        if not isinstance(entry, Tick):
            self._apply(partition, entry, watermark, result)
        self._fire_due(partition, watermark, result.outcomes)
        return result

    def pass_time(self, partition: int, moment: datetime) -> list[Outcome]:
        """What a tick at ``moment`` does, without building one: for replays in time order."""
        if not self.clock.claim(partition, moment):
            return []
        out: list[Outcome] = []
        self._fire_due(partition, self.watermark(partition), out)
        return out

    def forget_partitions(self, partitions: Iterable[int]) -> None:
        """After a rebalance the due-heaps of moved partitions are stale."""
        for partition in partitions:
            self._due.pop(partition, None)
            self._compacted.pop(partition, None)
            self.clock.forget(partition)

    def _load(self, lead_id: str) -> LeadState | Retired | None:
        state = self.leads.get(lead_id)
        if isinstance(state, LeadState):
            give_memo(state, self._memos.get(lead_id))
        return state

    def _apply(self, partition: int, event: LeadEventBase, watermark: datetime, result: StepResult) -> None:
        state = self._load(event.lead_id) or new_lead(event.lead_id, partition)
        if isinstance(state, Retired):
            state = revive(state, event)
            if isinstance(state, str):
                result.rejected = state
                return
        new_state, outcomes = apply_event(state, event, self.policies, watermark)
        if new_state is state:
            result.duplicate = True
            return
        self._store(new_state)
        result.outcomes.extend(outcomes)

    def _fire_due(self, partition: int, watermark: datetime, out: list[Outcome]) -> None:
        while (heap := self._heap(partition)) and heap[0][0] <= watermark:  # a store may compact it
            due_at, lead_id = heapq.heappop(heap)
            state = self._load(lead_id)
            if state is None or state.next_due != due_at:
                continue  # stale entry: the lead was rescheduled since
            new_state, outcomes = advance(state, self.policies, watermark)
            out.extend(outcomes)
            self._store(retire(new_state, self.policies) if due_for_retirement(new_state, watermark) else new_state)

    def _store(self, state: LeadState | Retired) -> None:
        heap = self._heap(state.partition)  # built before the write, so the lead is not indexed twice
        previous = self.leads.get(state.lead_id)
        self._remember(state)
        self.leads[state.lead_id] = state
        if state.next_due is not None and (previous is None or previous.next_due != state.next_due):
            heapq.heappush(heap, (state.next_due, state.lead_id))
            if len(heap) > 2 * self._compacted[state.partition] + 1024:
                self._compact(state.partition)

    def _remember(self, state: LeadState | Retired) -> None:
        memo = take_memo(state) if isinstance(state, LeadState) else None
        if memo is None:
            self._memos.pop(state.lead_id, None)
            return
        self._memos[state.lead_id] = memo
        self._memos.move_to_end(state.lead_id)
        if len(self._memos) > REMEMBERED_LEADS:
            self._memos.popitem(last=False)

    def _heap(self, partition: int) -> list[tuple[datetime, str]]:
        heap = self._due.get(partition)
        if heap is None:  # first use, or after a rebalance: from the store, the truth
            heap = [(s.next_due, s.lead_id) for s in self.leads.values() if s.partition == partition and s.next_due]
            self._index(partition, heap)
        return heap

    def _compact(self, partition: int) -> None:
        """Drop the stale entries of rescheduled leads, once they may outnumber the live ones:
        the heap itself is filtered, so the cost is paid per entry pushed, not per lead stored."""
        live = {(due, lead_id) for due, lead_id in self._due[partition]
                if (state := self.leads.get(lead_id)) is not None and state.next_due == due}
        self._index(partition, list(live))

    def _index(self, partition: int, heap: list[tuple[datetime, str]]) -> None:
        heapq.heapify(heap)
        self._due[partition] = heap
        self._compacted[partition] = len(heap)
