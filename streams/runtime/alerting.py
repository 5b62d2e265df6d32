"""Per-lead alerting as a pipeline extension: outcomes -> alert state -> Alertmanager or console.

- The ``alerting`` agent (concurrency 1) reads the outcomes topic and is the single
  writer of the ``alert-state`` table (lead/cycle -> ``LeadAlerts``), stepping the
  pure ``alerts.lifecycle``. Changes go to the notifiers at once: queued for the
  Alertmanager clients (never awaited here, so a slow or dead Alertmanager cannot
  hold up the stream) or printed by the console notifier.
- A timer re-sends, Prometheus-style, every live alert of the partitions this worker
  owns, straight from the table (it only reads); and because the table is restored from its changelog, a worker restarted after -9, or
  one that took partitions over in a rebalance, re-sends every firing alert within
  one timer period of its recovery.
- A sweep, once a minute, deletes the states of the partitions this worker owns that were
  resolved long enough ago, and resolves alerts still firing the policy's ``retire_after``
  after the latest started. It runs on a timer, so a partition no outcome arrives on is swept
  too; a timer has no event whose partition a Faust table write could go to, so it writes
  the store and that partition's changelog itself (streams.runtime.table_writes).

Protocol timestamps come from ``wall_clock`` (real time), not ``AppContext.clock``,
which is simulated in the demo: Alertmanager expires alerts by its own wall clock.
See alerts.lifecycle for how event time maps onto startsAt/endsAt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

import faust
from faust.serializers import codecs
from pydantic import ValidationError

from alerts.client import AiohttpTransport, AlertmanagerClient, Fanout, Transport
from alerts.console import ConsoleNotifier
from alerts.lifecycle import Change, LeadAlerts, end_when_quiet, expired, state_key, step, to_send
from models.outcomes import Outcome
from streams.runtime.app import AppContext, Extension
from streams.runtime.assignment import owned_partitions
from streams.runtime.clock import Clock, SystemClock
from streams.runtime.faust_codecs import PydanticCodec, hold_models
from streams.runtime import table_writes
from streams.runtime.settings import Settings

ALERT_STATE_CODEC = "leadsla_lead_alerts"
codecs.register(ALERT_STATE_CODEC, PydanticCodec(LeadAlerts))
RESEND_CHECK_S = 5.0  # how soon a new owner of a partition re-sends its alerts
SWEEP_EVERY = timedelta(minutes=1)
log = logging.getLogger("leadsla.alerts")


@dataclass
class Notifiers:
    fanout: Fanout | None = None
    console: ConsoleNotifier | None = None
    transport: Transport | None = None

    def notify(self, changes: list[Change]) -> None:
        for change in changes:
            log.info("alert %s: %s", change.status, change.alert.labels)
        if self.console is not None:
            self.console.notify(changes)
        if self.fanout is not None:
            self.fanout.send(change.alert for change in changes)


def alerting(settings: Settings, *, write: Callable[[str], None] | None = None,
             transport: Transport | None = None, wall_clock: Clock | None = None) -> Extension:
    """The extension: Alertmanager delivery when ``settings.alertmanagers`` names any,
    otherwise the console notifier (``write`` defaults to printing to stdout)."""
    wall = wall_clock or SystemClock()

    def extend(app: faust.App, context: AppContext) -> None:
        notifiers = _notifiers(settings, context, write, transport, wall)
        _install(app, context, notifiers, wall)

    return extend


def _notifiers(settings: Settings, context: AppContext, write, transport, wall: Clock) -> Notifiers:
    if not settings.alertmanagers:
        return Notifiers(console=ConsoleNotifier(write or (lambda line: print(line, flush=True))))
    transport = transport or AiohttpTransport()
    record = context.metrics.observe_alert_delivery
    clients = [AlertmanagerClient(url, transport, on_result=lambda url, ok: record(url, "ok" if ok else "error"))
               for url in settings.alertmanagers]
    return Notifiers(fanout=Fanout(clients, context.policy.alerts.resend_every, wall.now), transport=transport)


def _install(app: faust.App, context: AppContext, notifiers: Notifiers, wall: Clock) -> None:
    table = app.Table("alert-state", partitions=context.settings.partitions)
    hold_models(table, ALERT_STATE_CODEC)
    sweeper = _Sweeper(table, context.policy.alerts.keep_resolved_for, context.policy.retire_after, notifiers.notify)

    @app.agent(context.outcomes, name="alerting", concurrency=1)
    async def track_alerts(stream):
        async for event in stream.events():
            _on_outcome(event.message, table, context, notifiers, wall.now())

    @app.timer(SWEEP_EVERY.total_seconds())
    async def sweep_alerts() -> None:
        if app.rebalancing or getattr(app, "in_recovery", False):
            return  # partitions in flight: their next owner sweeps them
        try:
            sweeper.sweep(owned_partitions(app, context.settings.topics.outcomes), wall.now())
        except Exception:  # noqa: BLE001 - a failed timer would crash the worker, pipeline and all
            log.exception("cannot sweep the alert states")

    if notifiers.fanout is None:
        return
    fanout = notifiers.fanout

    @app.timer(min(RESEND_CHECK_S, context.policy.alerts.resend_every.total_seconds()))
    async def resend_alerts() -> None:
        owned = owned_partitions(app, context.settings.topics.outcomes)
        now = wall.now()
        keep = context.policy.alerts.keep_resolved_for
        fanout.resend([a for s in list(table.values()) if s.partition in owned for a in to_send(s, now, keep)])

    @app.task
    async def deliver_alerts() -> None:
        try:
            await fanout.run()
        finally:
            close = getattr(notifiers.transport, "close", None)
            if close is not None:
                await close()


def _on_outcome(message, table, context: AppContext, notifiers: Notifiers, now: datetime) -> None:
    try:
        outcome = Outcome.model_validate_json(message.value or b"")
    except ValidationError as error:  # the tracker writes this topic; a bad record is skipped, not fatal
        log.warning("skipping an undecodable outcome at %s[%s]@%s: %s",
                    message.topic, message.partition, message.offset, error)
        return
    key = state_key(outcome)
    try:
        state, changes = step(table.get(key), outcome, context.policy, partition=message.partition, now=now)
    except Exception:  # noqa: BLE001 - a bug in alerting must not stop the pipeline around it
        log.exception("cannot step the alert state of %s with %s", key, outcome.outcome_id)
        return
    if changes:
        table[key] = state
        notifiers.notify(changes)


@dataclass
class _Sweeper:
    """Deletes settled states past their retention, and resolves alerts still firing
    ``retire_after`` after the latest started (their lead retired). On a timer, so it writes
    through ``table_writes`` to each state's own changelog partition."""

    table: faust.Table
    keep_resolved_for: timedelta
    retire_after: timedelta
    notify: Callable[[list[Change]], None]

    def sweep(self, partitions: set[int], now: datetime) -> None:
        for key, state in list(self.table.data.items()):
            if state.partition not in partitions:
                continue
            if expired(state, now, self.keep_resolved_for):
                table_writes.delete(self.table, state.partition, key)
                continue
            quiet, changes = end_when_quiet(state, now, self.retire_after)
            if changes:
                table_writes.put(self.table, state.partition, key, quiet)
                self.notify(changes)
