"""Checks before anything starts: is the broker there, is the metrics port free.

Without them a wrong address surfaces after a 15 s client timeout as a traceback from
deep inside a Kafka client, and a taken port only once the broker and the simulator
are already running. A TCP connection is all that is checked: it answers within
seconds, and it holds whatever security (TLS, SASL) the Kafka clients then negotiate.
"""

from __future__ import annotations

import errno
import socket

from streams.commands.failures import EXIT_UNAVAILABLE, EXIT_USAGE, UserError

BROKER_SETTING = "--broker or LEADSLA_BROKER"
METRICS_PORT_SETTING = "LEADSLA_METRICS_PORT"
CONNECT_TIMEOUT_S = 3.0


def require_reachable_broker(bootstrap: str, timeout_s: float = CONNECT_TIMEOUT_S) -> None:
    """Return once one bootstrap address accepts a TCP connection; else a UserError naming each."""
    failures = []
    for address in (part.strip() for part in bootstrap.split(",") if part.strip()):
        host, port = broker_address(address)
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                return
        except OSError as error:
            failures.append(f"{address}: {_why(error)}")
    raise UserError(f"cannot reach the Kafka broker at {'; '.join(failures) or repr(bootstrap)} "
                    f"(set by {BROKER_SETTING})", EXIT_UNAVAILABLE)


def broker_address(address: str) -> tuple[str, int]:
    """``host:port`` (``[v6]:port`` too) as a pair; a UserError for anything else."""
    host, separator, port = address.rpartition(":")
    if not separator or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UserError(f"broker address {address!r} is not host:port (set by {BROKER_SETTING})", EXIT_USAGE)
    return host.strip("[]"), int(port)


def require_free_port(port: int, host: str = "127.0.0.1") -> None:
    """The metrics endpoint's port must be free before the broker and simulator start."""
    if not 0 <= port < 65536:
        raise UserError(f"{METRICS_PORT_SETTING} must be a port number 0-65535 (0: no metrics), not {port}")
    if port == 0:
        return
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the HTTP server binds
        try:
            probe.bind((host, port))
        except OSError as error:
            raise port_unusable(port, host, error) from None


def port_unusable(port: int, host: str, error: OSError) -> UserError:
    return UserError(f"cannot serve metrics on {host}:{port}: {_why(error)} (set {METRICS_PORT_SETTING} "
                     "to a free port, or 0 for no metrics endpoint)", EXIT_UNAVAILABLE)


def _why(error: OSError) -> str:
    if isinstance(error, socket.gaierror):
        return f"unknown host ({error.strerror})"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "no answer (timed out)"
    if error.errno == errno.EADDRINUSE:
        return "the port is already in use"
    return error.strerror or str(error)
