"""Per-lead alert state: outcomes in, alerts fired or resolved out. Pure.

One ``LeadAlerts`` per lead and handoff cycle, written by exactly one agent. A
warning, breach or escalation outcome fires an alert; a depth breach fires a
*notice*: an alert sent with an end time (``alerts.depth_notice_for`` ahead), which
Alertmanager resolves by itself, because no later outcome says the follow-up
period was worked after all; the outcome that ends the
wait (met, contacted late, returned) resolves every alert of the cycle, and so
does a reassignment when the policy says so; a ``corrected`` outcome resolves
the alert of the outcome it withdraws; alerts still firing ``retire_after`` after the
latest started are resolved then (``end_when_quiet``). Stepping the same outcome twice changes
nothing, so at-least-once delivery of the outcomes topic is harmless.

Two kinds of time meet here:
- *event time* (``outcome.at``, from the log) is what the alert is about; it
  fills the annotations and, in live operation, is also when the alert started;
- *protocol time* is what Alertmanager is told. It must be real wall time,
  because Alertmanager expires alerts by its own clock, so ``now`` here is the
  sender's wall clock. ``starts_at`` is the event time but never later than
  ``now`` (a simulated clock may run ahead); ``ends_at`` of a resolved alert is
  the resolving event's time, clamped to [starts_at, now].
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from alerts.content import ALERTING_KINDS, NOTICE_KINDS, annotations_for, labels_for
from models.outcomes import WAIT_ENDING, Outcome
from models.policy import Policy


class Alert(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome_id: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: AwareDatetime
    ends_at: AwareDatetime | None = None  # None while firing

    @property
    def firing(self) -> bool:
        return self.ends_at is None

    def active(self, now: datetime) -> bool:
        """Firing, or a notice whose end time is still ahead."""
        return self.ends_at is None or self.ends_at > now

    def resolved(self, at: datetime, now: datetime) -> "Alert":
        return self.model_copy(update={"ends_at": max(self.starts_at, min(at, now))})


class LeadAlerts(BaseModel):
    """The alerts of one lead's handoff cycle, with the partition that owns it."""

    model_config = ConfigDict(frozen=True)

    lead_id: str
    cycle: int
    partition: int
    alerts: tuple[Alert, ...] = ()
    settled_at: AwareDatetime | None = None  # wall time at which the last firing alert resolved

    def firing(self) -> list[Alert]:
        return [a for a in self.alerts if a.firing]


@dataclass(frozen=True)
class Change:
    """What a notifier hears about: an alert started firing, or resolved."""

    status: Literal["firing", "resolved"]
    alert: Alert


def state_key(outcome: Outcome) -> str:
    return f"{outcome.lead_id}/{outcome.cycle}"


def step(state: LeadAlerts | None, outcome: Outcome, policy: Policy, *, partition: int,
         now: datetime) -> tuple[LeadAlerts | None, list[Change]]:
    """Apply one outcome. Returns the new state (None: nothing worth storing) and the changes."""
    current = state or LeadAlerts(lead_id=outcome.lead_id, cycle=outcome.cycle, partition=partition)
    if outcome.kind in NOTICE_KINDS:
        alerts, changes = _fire(current.alerts, outcome, policy, now)
        current = current.model_copy(update={"settled_at": None})  # re-sent from now on, for keep_resolved_for
    elif outcome.kind in ALERTING_KINDS:
        alerts, changes = _fire(current.alerts, outcome, policy, now)
    elif outcome.kind in WAIT_ENDING:
        alerts, changes = _resolve(current.alerts, lambda a: True, outcome.at, now)
    elif outcome.kind == "reassigned" and policy.alerts.resolve_on_reassign:
        alerts, changes = _resolve(current.alerts, lambda a: a.labels["owner_rep"] != outcome.owner_rep,
                                   outcome.at, now)
    elif outcome.kind == "corrected":
        alerts, changes = _resolve(current.alerts, lambda a: a.outcome_id == outcome.corrects, outcome.at, now)
    else:
        return state, []
    if not changes:
        return state, []
    return _settle(current.model_copy(update={"alerts": alerts}), now), changes


def _fire(alerts: tuple[Alert, ...], outcome: Outcome, policy: Policy,
          now: datetime) -> tuple[tuple[Alert, ...], list[Change]]:
    starts_at = min(outcome.at, now)
    # A notice (a depth breach) has an end time from the start: Alertmanager keeps it active
    # until then and resolves it on its own, since no later outcome says it stopped holding.
    ends_at = now + policy.alerts.depth_notice_for if outcome.kind in NOTICE_KINDS else None
    fresh = Alert(outcome_id=outcome.outcome_id, labels=labels_for(outcome),
                  annotations=annotations_for(outcome, policy), starts_at=starts_at, ends_at=ends_at)
    known = next((a for a in alerts if a.outcome_id == outcome.outcome_id), None)
    if known is not None and known.labels == fresh.labels:
        if not known.firing or known.annotations == fresh.annotations:
            return alerts, []  # a replayed outcome, or one already resolved
        updated = known.model_copy(update={"annotations": fresh.annotations})
        return _replace(alerts, known, updated), [Change("firing", updated)]
    changes: list[Change] = []
    if known is not None and known.firing:
        # Re-decided with other labels (e.g. a late event changed the owner): a
        # different alert for Alertmanager, so the old one must resolve.
        old = known.resolved(outcome.at, now)
        alerts = _replace(alerts, known, old)
        changes.append(Change("resolved", old))
    return alerts + (fresh,), changes + [Change("firing", fresh)]


def _resolve(alerts: tuple[Alert, ...], which, at: datetime, now: datetime) -> tuple[tuple[Alert, ...], list[Change]]:
    out: list[Alert] = []
    changes: list[Change] = []
    for alert in alerts:
        if alert.active(now) and which(alert):
            alert = alert.resolved(at, now)
            changes.append(Change("resolved", alert))
        out.append(alert)
    return tuple(out), changes


def _replace(alerts: tuple[Alert, ...], old: Alert, new: Alert) -> tuple[Alert, ...]:
    return tuple(new if a is old else a for a in alerts)


def _settle(state: LeadAlerts, now: datetime) -> LeadAlerts:
    settled = None if state.firing() else (state.settled_at or now)
    return state.model_copy(update={"settled_at": settled})


def end_when_quiet(state: LeadAlerts, now: datetime, quiet_for: timedelta) -> tuple[LeadAlerts, list[Change]]:
    """Resolve the firing alerts of a cycle whose latest alert started ``quiet_for`` (the
    policy's ``retire_after``) ago. Only an outcome ends a wait, and a lead nobody ever
    contacts has none after its last escalation: by now it has retired (or only automated
    touches kept it), so its alerts would otherwise fire, and be re-sent, for good."""
    if not state.firing() or now - max(a.starts_at for a in state.alerts) < quiet_for:
        return state, []
    alerts, changes = _resolve(state.alerts, lambda a: a.firing, now, now)
    return _settle(state.model_copy(update={"alerts": alerts}), now), changes


def to_send(state: LeadAlerts, now: datetime, keep_resolved_for: timedelta) -> list[Alert]:
    """Alerts Alertmanager must keep hearing about: all firing ones, and resolved
    ones until ``keep_resolved_for`` after the cycle settled (so a replica that
    missed the resolution, or restarted, learns it)."""
    if state.settled_at is not None and now - state.settled_at >= keep_resolved_for:
        return []
    return list(state.alerts)


def expired(state: LeadAlerts, now: datetime, keep_resolved_for: timedelta) -> bool:
    """Nothing left to tell anyone: the state may be deleted."""
    return state.settled_at is not None and now - state.settled_at >= keep_resolved_for
