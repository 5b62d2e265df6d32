"""A worker serves /metrics on LEADSLA_METRICS_HOST, so Prometheus in another container can
scrape worker:9464 (127.0.0.2 stands for "another address of this machine": a worker bound to
loopback only would not answer there)."""

from __future__ import annotations

import urllib.request

import pytest

from streams.kafka.broker import free_port
from streams.metrics import names
from tests.harness import wait_for

pytestmark = pytest.mark.broker


def scrape(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode()
    except OSError:
        return ""


def test_a_worker_bound_to_every_interface_answers_on_another_local_address(pipeline):
    port = free_port()
    pipeline.settings = pipeline.settings.but(metrics_port=port)
    pipeline.extra_env["LEADSLA_METRICS_HOST"] = "0.0.0.0"
    pipeline.start_worker()
    page = wait_for(lambda: scrape(f"http://127.0.0.2:{port}/metrics"), bool, timeout_s=60)
    assert names.TICKS.name in page, pipeline.worker_logs()
