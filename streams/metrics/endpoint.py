"""The /metrics endpoint a worker serves for Prometheus, on a configured address.

The address is a setting (``LEADSLA_METRICS_HOST``, ``LEADSLA_METRICS_PORT``): loopback on a
laptop, every interface (0.0.0.0) in a container so that Prometheus can scrape
``worker:9464`` across the container network. Imports only prometheus_client.
"""

from __future__ import annotations

import errno
import socket

from prometheus_client import CollectorRegistry, start_http_server

__all__ = ["MetricsEndpointError", "metrics_url", "serve_metrics"]


class MetricsEndpointError(RuntimeError):
    """The endpoint cannot listen where the settings say; the message names the settings."""


def serve_metrics(registry: CollectorRegistry, host: str, port: int) -> str:
    """Serve ``registry`` on host:port in a daemon thread; return the URL it answers on."""
    try:
        start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        raise MetricsEndpointError(_explain(error, host, port)) from None
    return metrics_url(host, port)


def metrics_url(host: str, port: int) -> str:
    return f"http://{f'[{host}]' if ':' in host else host}:{port}/metrics"


def _explain(error: OSError, host: str, port: int) -> str:
    where = f"{host}:{port} (LEADSLA_METRICS_HOST, LEADSLA_METRICS_PORT)"
    if error.errno == errno.EADDRINUSE:
        return f"cannot serve metrics on {where}: the port is in use; set another, or 0 for no endpoint"
    if error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
        return f"cannot serve metrics on {where}: not an address of this machine"
    return f"cannot serve metrics on {where}: {error.strerror or error}"
