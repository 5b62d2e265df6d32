"""Marketing pace end to end: a worker learns a goal group's inputs from last month's leads and
deals on the embedded broker; a real Prometheus evaluates the generated goal rules on its
metrics and sends the pace warning to a real Alertmanager, which routes it to marketing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from alerts.generate import rules_text
from models.closed_loop import Month
from models.events import DealClosed, LeadConverted
from models.policy_file import parse_policy
from streams.kafka.broker import free_port
from streams.metrics import names
from tests.alerts.policies import PACE_POLICY
from tests.e2e.alert_stack import alert_stack, start_live_worker, use_policy  # noqa: F401 - fixtures
from tests.harness import wait_for
from tools.local.prometheus import LocalPrometheus

pytestmark = pytest.mark.broker


def last_months_leads(now: datetime) -> list:
    """10 web leads converted last month (UTC, the policy's zone), 2 of them won for 5,000 each
    before this month began: close rate 0.2, deal size 5,000, share 1, so the goal is
    100,000 x 1 / 5,000 / 0.2 = 100 leads a month."""
    last = Month.of(now, timezone.utc).plus(-1).start(timezone.utc)
    events = []
    for n in range(10):
        lead = f"L-web-{n}"
        events.append(LeadConverted(schema_version=1, event_id=f"{lead}-c", lead_id=lead, source="marketing",
                                    segment="web", occurred_at=last + timedelta(days=1, hours=n)))
        if n < 2:
            events.append(DealClosed(schema_version=1, event_id=f"{lead}-d", lead_id=lead, deal_id=f"D-{n}",
                                     occurred_at=last + timedelta(days=20), status="won", amount=5000))
    return events


def test_a_group_behind_its_goal_line_warns_marketing(pipeline, alert_stack, tmp_path):
    port = free_port()
    pipeline.settings = pipeline.settings.but(metrics_port=port)
    use_policy(pipeline, PACE_POLICY)
    pipeline.produce_events(last_months_leads(datetime.now(timezone.utc)))
    rules = rules_text(parse_policy(PACE_POLICY))
    alertmanager = alert_stack.alertmanager.url.removeprefix("http://")
    with LocalPrometheus([f"127.0.0.1:{port}"], tmp_path / "prometheus", rules=rules,
                         alertmanagers=[alertmanager]) as prometheus:
        start_live_worker(pipeline)
        goal = f'{names.goal_rule("goal_leads")}{{group="web"}}'
        found = wait_for(lambda: prometheus.query(goal), bool, timeout_s=60)
        assert found and float(found[0]["value"][1]) == pytest.approx(100), pipeline.worker_logs()

        # The total (here: web alone) is behind too and warns on its own; which comes first is a race.
        web_behind = lambda r: r.labels.get("alertname") == "MarketingBehindGoal" and r.labels.get("group") == "web"  # noqa: E731
        warned = alert_stack.webhook.wait_for(lambda got: any(web_behind(r) for r in got), 60)
        warning = next(r for r in warned if web_behind(r))
        assert warning.receiver == "marketing-chat" and warning.status == "firing"
        assert warning.labels["group"] == "web" and warning.labels["severity"] == "warning"
        assert "web is 100% behind its goal line" in warning.annotations["summary"]  # no web lead this month
