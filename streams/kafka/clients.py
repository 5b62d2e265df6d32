"""Opening kafka-python clients on a cluster, and saying why one could not connect over TLS.

Every kafka-python client the shipped code opens is made by ``open_client``, so each gets the
cluster's bootstrap servers and security arguments (a test holds the code to it).

Kafka clients report a failed TLS handshake as "Unable to bootstrap" after their timeout, which
hides the cause (an untrusted CA, a host name the certificate does not carry, a listener that
wants a client certificate, or no TLS at all). When a client cannot bootstrap, ``open_client``
repeats the handshake once with the same TLS context and names the cause and the setting.
"""

from __future__ import annotations

import socket
import ssl

from typing import TypeVar

from kafka import KafkaProducer
from kafka.errors import KafkaError

from streams.kafka.cluster import KafkaCluster, as_cluster
from streams.kafka.security import KafkaSecurityError, setting_name, ssl_context

__all__ = ["open_client", "tls_failure"]

Client = TypeVar("Client")


def open_client(client_class: type[Client], cluster: str | KafkaCluster, **options) -> Client:
    """``client_class`` (KafkaProducer, KafkaConsumer, KafkaAdminClient) connected to ``cluster``.
    Raises KafkaSecurityError naming the cause when it cannot bootstrap because of TLS."""
    cluster = as_cluster(cluster)
    try:
        producing = cluster.producer_kwargs() if client_class is KafkaProducer else {}
        return client_class(**cluster.client_kwargs(), **producing, **options)
    except KafkaError as error:  # "Unable to bootstrap" (kafka-python 3), NoBrokersAvailable (2)
        reason = tls_failure(cluster)
        if reason is None:
            raise
        raise KafkaSecurityError(reason) from error


def tls_failure(cluster: KafkaCluster, timeout_s: float = 5.0) -> str | None:
    """The reason a TLS handshake with the first bootstrap server fails, or None when it
    succeeds (or the cluster does not use TLS, or nothing answers at all)."""
    if not cluster.security.uses_tls:
        return None
    server = cluster.bootstrap.split(",")[0].strip()
    host, _, port = server.rpartition(":")
    context = ssl_context(cluster.security)
    try:
        with socket.create_connection((host, int(port)), timeout=timeout_s) as raw:
            with context.wrap_socket(raw, server_hostname=host) as tls:
                if _closed_after_handshake(tls):
                    return f"TLS: {server} closed the connection after the handshake ({_client_cert_hint(cluster)})"
    except ssl.SSLCertVerificationError as error:
        return f"TLS: {server} presented a certificate this client does not accept: {error.verify_message} " \
               f"({_hint(error)})"
    except ssl.SSLError as error:
        return f"TLS handshake with {server} failed: {error.reason or error} ({_handshake_hint(error, cluster)})"
    except socket.timeout:
        return f"TLS handshake with {server} timed out: is it a TLS listener? ({setting_name('security_protocol')})"
    except OSError:
        return None  # not a TLS problem: the caller's own error says the broker is unreachable
    return None


def _closed_after_handshake(tls: ssl.SSLSocket) -> bool:
    """With TLS 1.3 a broker refuses a client certificate (or its absence) after the handshake:
    in its first record, or by closing. A broker that accepted us sends nothing until asked."""
    tls.settimeout(0.5)
    try:
        return tls.recv(1) == b""
    except (socket.timeout, ssl.SSLWantReadError):
        return False


def _client_cert_hint(cluster: KafkaCluster) -> str:
    if cluster.security.ssl_cert is None:
        return f"it wants a client certificate: set {setting_name('ssl_cert')} and {setting_name('ssl_key')}"
    return f"it refused the client certificate {cluster.security.ssl_cert}: is it signed by a CA the broker trusts?"


def _hint(error: ssl.SSLCertVerificationError) -> str:
    if "hostname" in (error.verify_message or "").lower() or "IP address" in (error.verify_message or ""):
        return f"connect by a name the certificate carries, or set {setting_name('ssl_check_hostname')}=0"
    return f"{setting_name('ssl_ca')} must name the CA that signed the broker's certificate"


def _handshake_hint(error: ssl.SSLError, cluster: KafkaCluster) -> str:
    reason = (error.reason or "").upper()
    if "CERTIFICATE" in reason or "HANDSHAKE_FAILURE" in reason:
        return _client_cert_hint(cluster)
    if "WRONG_VERSION_NUMBER" in reason or "RECORD_LAYER" in reason:
        return f"the listener does not speak TLS: check {setting_name('security_protocol')} and the port"
    return f"check {setting_name('security_protocol')} and the {setting_name('ssl_ca')}/CERT/KEY files"
