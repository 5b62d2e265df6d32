"""Fixtures and helpers for the alerting end-to-end tests: a real Alertmanager whose
receivers are a webhook served by the test, and workers on a small policy whose
deadlines pass seconds after a handoff stamped "now". Import the fixtures you use."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from alerts.generate import alertmanager_text
from models.events import ContactAttempt, LeadHandoff
from models.policy_file import parse_policy
from tests.alerts.policies import FAST_POLICY, FAST_TIMINGS
from tests.harness import wait_for
from tools.local.alertmanager import LocalAlertmanager, alertmanager_binary
from tools.local.webhook_sink import Received, WebhookSink

TEAM, REP = "e2e-team", "rep-e2e"


@dataclass
class AlertStack:
    alertmanager: LocalAlertmanager
    webhook: WebhookSink

    def firing(self, lead_id: str, alertname: str) -> list[Received]:
        return [r for r in self.webhook.received()
                if r.labels.get("lead_id") == lead_id and r.labels.get("alertname") == alertname
                and r.status == "firing"]

    def wait_firing(self, lead_id: str, alertname: str, timeout_s: float = 60) -> list[Received]:
        self.webhook.wait_for(lambda _: bool(self.firing(lead_id, alertname)), timeout_s)
        return self.firing(lead_id, alertname)


@pytest.fixture
def alert_stack(tmp_path):
    if alertmanager_binary() is None:
        pytest.fail("prometheus-alertmanager is not installed: scripts/test installs it from Debian")
    policy = parse_policy(FAST_POLICY, "e2e-policy.yaml")
    with WebhookSink() as webhook:
        config = alertmanager_text(policy, webhook_url=webhook.url, timings=FAST_TIMINGS)
        alertmanager = LocalAlertmanager(config, tmp_path / "alertmanager").start()
        try:
            yield AlertStack(alertmanager, webhook)
        finally:
            alertmanager.stop()


@pytest.fixture
def alerting_pipeline(pipeline, alert_stack, tmp_path):
    """The pipeline fixture on the fast policy, its workers sending to the stack's Alertmanager."""
    use_policy(pipeline, FAST_POLICY)
    pipeline.extra_env["LEADSLA_ALERTMANAGERS"] = alert_stack.alertmanager.url
    return pipeline


def use_policy(pipeline, text: str) -> None:
    """Workers started from now on run this policy (the stack's routing does not depend on it)."""
    policy_path = pipeline.workdir / "policy.yaml"
    policy_path.write_text(text)
    pipeline.settings = pipeline.settings.but(policy_path=policy_path)


def new_lead_id(prefix: str = "L") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def handoff_now(lead_id: str) -> LeadHandoff:
    return LeadHandoff(schema_version=1, event_id=f"{lead_id}-h", lead_id=lead_id,
                       occurred_at=datetime.now(timezone.utc), action="assign", owner_rep=REP, team=TEAM)


def contact_now(lead_id: str) -> ContactAttempt:
    return ContactAttempt(schema_version=1, event_id=f"{lead_id}-a", lead_id=lead_id,
                          occurred_at=datetime.now(timezone.utc), rep=REP, channel="call", outcome="connected")


def start_live_worker(pipeline) -> None:
    """Start a worker and return once it decides deadlines: a lead handed off and
    returned an hour ago must come out as opened and returned (no alert: returned
    long before its warning)."""
    warmup = new_lead_id("warmup")
    hour_ago = datetime.now(timezone.utc) - timedelta(hours=1)
    pipeline.produce_events([
        LeadHandoff(schema_version=1, event_id=f"{warmup}-h", lead_id=warmup, occurred_at=hour_ago,
                    action="assign", owner_rep=REP, team=TEAM),
        LeadHandoff(schema_version=1, event_id=f"{warmup}-r", lead_id=warmup,
                    occurred_at=hour_ago + timedelta(seconds=1), action="return"),
    ])
    pipeline.start_worker()
    outcomes = wait_for(pipeline.outcomes, lambda found: any(o.lead_id == warmup and o.kind == "returned"
                                                             for o in found), 60)
    assert any(o.lead_id == warmup and o.kind == "returned" for o in outcomes), pipeline.worker_logs()


def outcome_kinds(pipeline, lead_id: str) -> set[str]:
    return {o.kind for o in pipeline.outcomes() if o.lead_id == lead_id}


def wait_outcome(pipeline, lead_id: str, kind: str, timeout_s: float = 60) -> None:
    kinds = wait_for(lambda: outcome_kinds(pipeline, lead_id), lambda found: kind in found, timeout_s)
    assert kind in kinds, f"no {kind} outcome for {lead_id}: {kinds}\n{pipeline.worker_logs()}"


def wait_log(pipeline, text: str, timeout_s: float = 20) -> bool:
    """True once a worker's log contains ``text`` (the harness runs workers at log level info)."""
    def logged() -> bool:
        return any(text in path.read_text(errors="replace") for path in pipeline.workdir.glob("worker-*.log"))

    return wait_for(logged, bool, timeout_s, every_s=0.2)
