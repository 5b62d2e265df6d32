"""Per-lead alerts end to end: a worker process, the embedded broker, a real
Alertmanager, and a webhook receiver standing where PagerDuty or Slack would."""

from __future__ import annotations

import signal

import pytest

from tests.alerts.policies import LATE_ESCALATION_POLICY
from tests.e2e.alert_stack import (REP, TEAM, alert_stack, alerting_pipeline, contact_now,  # noqa: F401 - fixtures
                                   handoff_now, new_lead_id, start_live_worker, use_policy, wait_log, wait_outcome)

pytestmark = pytest.mark.broker


def test_an_uncontacted_lead_pages_warning_then_breach_then_escalation_and_a_call_resolves_them(
        alerting_pipeline, alert_stack):
    start_live_worker(alerting_pipeline)
    lead = new_lead_id()
    alerting_pipeline.produce_events([handoff_now(lead)])

    escalation = alert_stack.wait_firing(lead, "LeadSLAEscalated")
    assert escalation, f"no escalation arrived\n{alerting_pipeline.worker_logs()}"
    warning, breach = alert_stack.firing(lead, "LeadSLAWarning"), alert_stack.firing(lead, "LeadSLABreached")
    assert warning and breach
    assert warning[0].arrived_at <= breach[0].arrived_at <= escalation[0].arrived_at  # the order on-call sees
    common = {"team": TEAM, "segment": "e2e-demo", "lead_id": lead, "owner_rep": REP, "cycle": "1"}
    assert warning[0].labels == {**common, "alertname": "LeadSLAWarning", "severity": "warning",
                                 "escalation": "0", "notify": "rep"}
    assert breach[0].labels == {**common, "alertname": "LeadSLABreached", "severity": "page",
                                "escalation": "0", "notify": "rep"}
    assert escalation[0].labels == {**common, "alertname": "LeadSLAEscalated", "severity": "page",
                                    "escalation": "1", "notify": "manager"}
    # The routing tree sent each to the team's receiver for its severity and level.
    assert (warning[0].receiver, breach[0].receiver, escalation[0].receiver) == (
        f"{TEAM}-chat", f"{TEAM}-pages", f"{TEAM}-manager")
    notes = breach[0].annotations
    assert lead in notes["summary"] and "breached" in notes["summary"]
    assert notes["lead_url"] == f"https://crm.test/leads/{lead}?team={TEAM}"
    assert notes["waited"] == "16s" and notes["deadline_at"] > notes["handoff_at"]

    alerting_pipeline.produce_events([contact_now(lead)])
    resolved = alert_stack.webhook.wait_for(
        lambda got: {"LeadSLABreached", "LeadSLAEscalated"} <= _resolved_names(got, lead), 60)
    assert {"LeadSLABreached", "LeadSLAEscalated"} <= _resolved_names(resolved, lead)


def test_an_alertmanager_down_during_the_breach_gets_it_once_it_is_back(alerting_pipeline, alert_stack):
    use_policy(alerting_pipeline, LATE_ESCALATION_POLICY)
    start_live_worker(alerting_pipeline)
    lead = new_lead_id()
    alerting_pipeline.produce_events([handoff_now(lead)])
    assert alert_stack.wait_firing(lead, "LeadSLAWarning"), alerting_pipeline.worker_logs()
    alert_stack.alertmanager.stop()

    wait_outcome(alerting_pipeline, lead, "breached")
    assert wait_log(alerting_pipeline, "delivery failed")  # the worker noticed, and keeps retrying
    alert_stack.alertmanager.start()

    assert alert_stack.wait_firing(lead, "LeadSLABreached"), alerting_pipeline.worker_logs()


def test_a_worker_killed_with_a_firing_alert_undelivered_sends_it_after_restart(alerting_pipeline, alert_stack):
    use_policy(alerting_pipeline, LATE_ESCALATION_POLICY)
    start_live_worker(alerting_pipeline)
    alert_stack.alertmanager.stop()  # nothing can be delivered: the alert lives only in the worker's state
    lead = new_lead_id()
    alerting_pipeline.produce_events([handoff_now(lead)])
    wait_outcome(alerting_pipeline, lead, "breached")
    assert wait_log(alerting_pipeline, "'alertname': 'LeadSLABreached'")  # the alerting agent took it in
    alerting_pipeline.stop_workers(signal.SIGKILL)

    alert_stack.alertmanager.start()
    alerting_pipeline.start_worker()

    assert alert_stack.wait_firing(lead, "LeadSLABreached"), alerting_pipeline.worker_logs()


def _resolved_names(received, lead: str) -> set[str]:
    return {r.labels["alertname"] for r in received if r.labels.get("lead_id") == lead and r.status == "resolved"}
