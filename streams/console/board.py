"""The live board: the outcomes topic folded into what a sales manager watches.

Pure: no I/O and no clock. ``Board.apply`` takes outcomes in arrival order;
the views (``waiting``, ``recent``, ``counts``, ``compliance``) are read-only.

The board keeps, per handoff cycle (lead id + cycle number), the outcomes that
currently hold, keyed by ``outcome_id``. Everything is derived from that set,
so a ``corrected`` outcome only has to remove the outcome it withdraws: a
withdrawn breach turns the lead back to "waiting" (or "warned"), a withdrawn
``met`` reopens the lead, and compliance loses the withdrawn count.

Delivery is at-least-once, so an outcome that changes nothing (same id, same
content; or a correction of something no longer held) is ignored entirely.

Memory is bounded except for the leads that really wait: finished cycles leave
the waiting set and are remembered only in a bounded LRU (so a late correction
can still reopen them), and ``recent`` is a ``deque(maxlen=...)``. A re-delivery
for a cycle forgotten by the LRU is counted again: the price of the bound.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime

from models.outcomes import WAIT_ENDING, Outcome, withdrawn_kind

# Outcomes that exist only while (or because) a lead was handed off and waiting.
OPEN_IMPLYING = frozenset({"opened", "reassigned", "warning", "breached", "escalated"})
COMPLIANCE_KINDS = ("met", "breached")

CycleKey = tuple[str, int]
Held = dict[str, Outcome]  # outcome_id -> the outcome that currently holds


@dataclass(frozen=True)
class WaitingLead:
    lead_id: str
    cycle: int
    team: str
    owner_rep: str
    segment: str
    handoff_at: datetime
    deadline_at: datetime
    state: str  # "waiting" | "warned" | "breached" | "escalated N"


@dataclass(frozen=True)
class Compliance:
    met: int = 0
    breached: int = 0

    @property
    def rate(self) -> float | None:
        """met / (met + breached); None before anything was decided."""
        decided = self.met + self.breached
        return self.met / decided if decided else None


@dataclass(frozen=True)
class ComplianceReport:
    overall: Compliance
    by_team: dict[str, Compliance]


class Board:
    def __init__(self, recent_size: int = 200, finished_memory: int = 10_000) -> None:
        self._waiting: dict[CycleKey, Held] = {}
        self._finished: OrderedDict[CycleKey, Held] = OrderedDict()
        self._finished_memory = finished_memory
        self._recent: deque[Outcome] = deque(maxlen=recent_size)
        self._counts: Counter[str] = Counter()
        self._tally: Counter[tuple[str, str]] = Counter()  # (kind, team) of held met/breached
        self.accepted = 0  # outcomes that changed the board (re-deliveries excluded)

    # -- folding ---------------------------------------------------------------

    def apply(self, outcome: Outcome) -> None:
        changed = self._withdraw(outcome) if outcome.kind == "corrected" else self._hold(outcome)
        if not changed:
            return
        self.accepted += 1
        self._counts[outcome.kind] += 1
        if outcome.kind != "opened":
            self._recent.append(outcome)

    def _hold(self, outcome: Outcome) -> bool:
        key = (outcome.lead_id, outcome.cycle)
        held = self._held(key, create=True)
        previous = held.get(outcome.outcome_id)
        if previous == outcome:
            return False
        if previous is not None:  # same id, new content without a correction: replace
            self._count(previous.kind, previous.team, -1)
        held[outcome.outcome_id] = outcome
        self._count(outcome.kind, outcome.team, +1)
        self._place(key, held)
        return True

    def _withdraw(self, correction: Outcome) -> bool:
        key = (correction.lead_id, correction.cycle)
        held = self._held(key, create=False)
        if held is None:
            # The cycle was forgotten (or never seen): the correction is a copy of
            # the withdrawn outcome, so its team and id still say what to uncount.
            self._count(withdrawn_kind(correction), correction.team, -1)
            return True
        withdrawn = held.pop(correction.corrects or "", None)
        if withdrawn is None:
            return False
        self._count(withdrawn.kind, withdrawn.team, -1)
        self._place(key, held)
        return True

    def _held(self, key: CycleKey, *, create: bool) -> Held | None:
        if key in self._waiting:
            return self._waiting[key]
        if key in self._finished:
            self._finished.move_to_end(key)
            return self._finished[key]
        if not create:
            return None
        held: Held = {}
        self._finished[key] = held  # placed properly once it holds something
        return held

    def _place(self, key: CycleKey, held: Held) -> None:
        """File the cycle as waiting or finished after its held set changed."""
        self._waiting.pop(key, None)
        self._finished.pop(key, None)
        if is_waiting(held):
            self._waiting[key] = held
        elif held:
            self._finished[key] = held
            while len(self._finished) > self._finished_memory:
                self._finished.popitem(last=False)

    def _count(self, kind: str, team: str, delta: int) -> None:
        if kind in COMPLIANCE_KINDS:
            # Floored at 0: a correction of a forgotten outcome must not go negative.
            self._tally[(kind, team)] = max(0, self._tally[(kind, team)] + delta)

    # -- views -----------------------------------------------------------------

    def waiting(self) -> list[WaitingLead]:
        """Leads handed off and not yet contacted or returned, earliest deadline first."""
        leads = [waiting_lead(held) for held in self._waiting.values()]
        return sorted(leads, key=lambda lead: (lead.deadline_at, lead.lead_id, lead.cycle))

    def recent(self, n: int) -> list[Outcome]:
        """The last ``n`` non-``opened`` outcomes, oldest first (arrival order)."""
        if n <= 0:
            return []
        return list(self._recent)[-n:]

    def counts(self) -> dict[str, int]:
        """Outcomes received per kind (``corrected`` included; re-deliveries not)."""
        return dict(self._counts)

    def compliance(self) -> ComplianceReport:
        """met / (met + breached), overall and per team, net of corrections.

        A breach counts even if the lead was contacted later: the deadline passed.
        Each outcome counts for the team that owned the lead at its time.
        """
        teams = sorted({team for (_, team), n in self._tally.items() if n})
        by_team = {
            team: Compliance(self._tally[("met", team)], self._tally[("breached", team)]) for team in teams
        }
        overall = Compliance(sum(c.met for c in by_team.values()), sum(c.breached for c in by_team.values()))
        return ComplianceReport(overall, by_team)


# -- pure helpers ----------------------------------------------------------------


def is_waiting(held: Held) -> bool:
    kinds = {outcome.kind for outcome in held.values()}
    return bool(kinds & OPEN_IMPLYING) and not kinds & WAIT_ENDING


def waiting_lead(held: Held) -> WaitingLead:
    latest = _latest(held)
    return WaitingLead(
        lead_id=latest.lead_id,
        cycle=latest.cycle,
        team=latest.team,
        owner_rep=latest.owner_rep,
        segment=latest.segment,
        handoff_at=latest.handoff_at,
        deadline_at=latest.deadline_at,
        state=wait_state(held),
    )


def _latest(held: Held) -> Outcome:
    """The latest open-implying outcome: it names the current owner.
    On equal times the later arrival wins (dicts keep insertion order)."""
    latest: Outcome | None = None
    for outcome in held.values():
        if outcome.kind in OPEN_IMPLYING and (latest is None or outcome.at >= latest.at):
            latest = outcome
    assert latest is not None, "only called for waiting cycles"
    return latest


def wait_state(held: Held) -> str:
    kinds = [outcome.kind for outcome in held.values()]
    levels = [o.level or 1 for o in held.values() if o.kind == "escalated"]
    if levels:
        return f"escalated {max(levels)}"
    if "breached" in kinds:
        return "breached"
    return "warned" if "warning" in kinds else "waiting"
