"""Follow-up depth end to end: a worker on the embedded broker, a real Alertmanager receiving
the per-lead depth notices, and a real Prometheus evaluating the generated depth rule on the
worker's metrics."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from alerts.generate import rules_text
from models.events import ContactAttempt
from models.policy_file import parse_policy
from streams.kafka.broker import free_port
from tests.alerts.policies import DEPTH_POLICY
from tests.e2e.alert_stack import (REP, TEAM, alert_stack, alerting_pipeline, handoff_now,  # noqa: F401 - fixtures
                                   new_lead_id, start_live_worker, use_policy)
from tests.harness import has_numbers, wait_for
from tools.local.prometheus import LocalPrometheus
from streams.metrics import names

pytestmark = pytest.mark.broker


def one_unanswered_call(lead_id: str) -> ContactAttempt:
    return ContactAttempt(schema_version=1, event_id=f"{lead_id}-a", lead_id=lead_id,
                          occurred_at=datetime.now(timezone.utc), rep=REP, channel="call", outcome="no_answer")


def test_leads_worked_too_little_notify_their_rep_once_per_rep_and_trip_the_depth_rule(
        alerting_pipeline, alert_stack, tmp_path):
    port = free_port()
    alerting_pipeline.settings = alerting_pipeline.settings.but(metrics_port=port)
    use_policy(alerting_pipeline, DEPTH_POLICY)
    rules = rules_text(parse_policy(DEPTH_POLICY))
    with LocalPrometheus([f"127.0.0.1:{port}"], tmp_path / "prometheus", rules=rules) as prometheus:
        start_live_worker(alerting_pipeline)
        leads = [new_lead_id(), new_lead_id()]
        alerting_pipeline.produce_events([e for lead in leads for e in (handoff_now(lead), one_unanswered_call(lead))])

        notices = [alert_stack.wait_firing(lead, "LeadDepthBreached", timeout_s=90) for lead in leads]
        assert all(notices), alerting_pipeline.worker_logs()
        for lead, (notice, *_) in zip(leads, notices):
            assert notice.receiver == f"{TEAM}-chat"
            assert notice.labels == {"alertname": "LeadDepthBreached", "team": TEAM, "segment": "e2e-demo",
                                     "severity": "ticket", "escalation": "0", "notify": "rep", "lead_id": lead,
                                     "cycle": "1", "owner_rep": REP}
            assert "got 1 of the 3 agreed follow-up attempts" in notice.annotations["summary"]
        depth_groups = [b["groupLabels"] for b in alert_stack.webhook.bodies()
                        if isinstance(b, dict) and b.get("commonLabels", {}).get("alertname") == "LeadDepthBreached"]
        assert depth_groups and all(g == {"alertname": "LeadDepthBreached", "team": TEAM, "owner_rep": REP}
                                    for g in depth_groups)  # one conversation per rep, not per lead
        # The same two periods, on the worker's gauges, through the generated rule on Prometheus.
        ratio = f'{names.DEPTH_BREACHED_RATIO_RULE}{{team="{TEAM}",segment="e2e-demo"}}'
        # The gauge is recomputed on the worker's snapshot interval, so the rule may first see
        # no ended period (0 / 0); wait until the two ended periods reach it.
        found = wait_for(lambda: prometheus.query(ratio), has_numbers, timeout_s=30)
        assert has_numbers(found), prometheus.log()
        assert float(found[0]["value"][1]) == 1.0
        pending = 'ALERTS{alertname="LeadDepthComplianceLow",alertstate="pending"}'
        found = wait_for(lambda: prometheus.query(pending), bool, timeout_s=20)
        assert found and found[0]["metric"]["team"] == TEAM and found[0]["metric"]["severity"] == "ticket"
