"""The /metrics endpoint listens where the settings say: loopback by default, every interface
when LEADSLA_METRICS_HOST=0.0.0.0 (a container, for Prometheus to scrape worker:9464).

"Every interface" is observed inside the loopback range: 127.0.0.2 is an address of this
machine too, which a socket bound to 127.0.0.1 does not answer.
"""

from __future__ import annotations

import socket
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, Counter

from streams.kafka.broker import free_port
from streams.metrics.endpoint import MetricsEndpointError, metrics_url, serve_metrics
from streams.runtime.settings import settings_from_env


def registry_with_a_sample() -> CollectorRegistry:
    registry = CollectorRegistry()
    Counter("endpoint_probe", "A sample to find on the page.", registry=registry).inc(3)
    return registry


def scrape(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode()


def test_loopback_by_default_so_nothing_else_on_the_network_reads_the_metrics():
    assert settings_from_env({}).metrics_host == "127.0.0.1"
    port = free_port()
    url = serve_metrics(registry_with_a_sample(), "127.0.0.1", port)
    assert url == f"http://127.0.0.1:{port}/metrics"
    assert "endpoint_probe_total 3.0" in scrape(url)
    with pytest.raises(OSError):
        scrape(f"http://127.0.0.2:{port}/metrics")


def test_all_interfaces_when_configured_so_another_container_can_scrape():
    host = settings_from_env({"LEADSLA_METRICS_HOST": "0.0.0.0"}).metrics_host
    port = free_port()
    serve_metrics(registry_with_a_sample(), host, port)
    assert "endpoint_probe_total 3.0" in scrape(f"http://127.0.0.2:{port}/metrics")


def test_a_port_in_use_is_reported_with_the_settings_to_change():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(MetricsEndpointError, match=rf"127.0.0.1:{port} \(LEADSLA_METRICS_HOST, "
                                                       r"LEADSLA_METRICS_PORT\): the port is in use"):
            serve_metrics(CollectorRegistry(), "127.0.0.1", port)


def test_an_address_that_is_not_this_machines_is_reported():
    with pytest.raises(MetricsEndpointError, match="not an address of this machine"):
        serve_metrics(CollectorRegistry(), "no-such-host.invalid", free_port())


def test_ipv6_urls_are_bracketed():
    assert metrics_url("::", 9464) == "http://[::]:9464/metrics"
