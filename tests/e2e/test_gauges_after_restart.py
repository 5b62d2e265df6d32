"""The "waiting now" gauges come from the lead-state table, so a restarted worker reports
them again from its recovered table, with no new events."""

from __future__ import annotations

import re
import signal
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

from models.events import LeadConverted, LeadHandoff
from streams.kafka.broker import free_port
from tests.harness import wait_for

pytestmark = pytest.mark.broker


def waiting_leads(port: int) -> float | None:
    """Sum of leadsla_leads_waiting on the worker's /metrics, None until it answers."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
            text = answer.read().decode()
    except OSError:
        return None
    values = re.findall(r"^leadsla_leads_waiting\{[^}]*\} (\S+)$", text, flags=re.MULTILINE)
    return sum(float(v) for v in values) if values else None


def waiting_leads_events(now: datetime) -> list:
    events = []
    for n in range(3):
        lead = f"L-restart-{n}"
        events += [LeadConverted(schema_version=1, event_id=f"{lead}-c", lead_id=lead, source="marketing",
                                 segment="smb", occurred_at=now - timedelta(minutes=10)),
                   LeadHandoff(schema_version=1, event_id=f"{lead}-h", lead_id=lead, owner_rep="rep-east-1",
                               team="inbound-east", occurred_at=now - timedelta(minutes=5))]
    return events


def test_leads_waiting_are_reported_again_after_a_worker_is_killed_and_restarted(pipeline):
    port = free_port()
    pipeline.settings = pipeline.settings.but(metrics_port=port)
    pipeline.produce_events(waiting_leads_events(datetime.now(timezone.utc)))
    pipeline.start_worker()
    assert wait_for(lambda: waiting_leads(port), lambda v: v == 3, timeout_s=60) == 3
    pipeline.stop_workers(signal.SIGKILL)
    assert waiting_leads(port) is None  # nobody serves the metrics now
    pipeline.start_worker()
    assert wait_for(lambda: waiting_leads(port), lambda v: v == 3, timeout_s=90) == 3
