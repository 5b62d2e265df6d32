"""The environment variables leadsla reads, as ``leadsla --help`` lists them.

The variables are read in streams/runtime/settings.py; this is their user-facing
description. A test asks the settings which variables they read and fails when one is
missing here, so the help cannot fall behind.
"""

from __future__ import annotations

ENVIRONMENT = (
    ("LEADSLA_BROKER", "Kafka bootstrap host:port[,host:port]; unset: `run` starts the embedded broker"),
    ("LEADSLA_APP_ID", "Faust app id, also the consumer group (default leadsla)"),
    ("LEADSLA_TOPIC_PREFIX", "prefix of every topic name (default leadsla)"),
    ("LEADSLA_OUTCOMES_TOPIC", "outcomes topic (default <prefix>.outcomes)"),
    ("LEADSLA_PARTITIONS", "partitions of the topics leadsla creates and requires (default 12)"),
    ("LEADSLA_POLICY", "policy file, or a folder of versions named YYYY-MM-DD.yaml (default: the shipped example)"),
    ("LEADSLA_TICK_INTERVAL", "seconds between clock ticks (default 1)"),
    ("LEADSLA_FETCH_WAIT", "longest a consumer fetch waits for records, in seconds (default 0.1)"),
    ("LEADSLA_DELIVERY_TIMEOUT", "seconds a send may take, retries included, before the worker stops (default 60)"),
    ("LEADSLA_METRICS_PORT", "port of the Prometheus /metrics endpoint (default 9464; 0: none)"),
    ("LEADSLA_METRICS_HOST", "address the /metrics endpoint listens on (default 127.0.0.1; 0.0.0.0 in a container)"),
    ("LEADSLA_DATA_DIR", "folder for logs and worker state (default .leadsla)"),
    ("LEADSLA_LOG_LEVEL", "worker log level (default warn)"),
    ("LEADSLA_ALERTMANAGERS", "comma-separated Alertmanager URLs (default: alerts on the console)"),
    ("LEADSLA_EMBEDDED_BROKER", "1 when the broker is the embedded one (`run` sets it itself)"),
    ("LEADSLA_COMPRESSION", "codec of the records leadsla produces: none (default), gzip, snappy, lz4, zstd"),
    ("LEADSLA_KAFKA_SECURITY_PROTOCOL", "PLAINTEXT (default), SSL, SASL_PLAINTEXT or SASL_SSL"),
    ("LEADSLA_KAFKA_SASL_MECHANISM", "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"),
    ("LEADSLA_KAFKA_SASL_USERNAME", "SASL user name"),
    ("LEADSLA_KAFKA_SASL_PASSWORD", "SASL password"),
    ("LEADSLA_KAFKA_SSL_CA", "CA certificate file (PEM); unset: the system's CAs"),
    ("LEADSLA_KAFKA_SSL_CERT", "client certificate file (PEM), for mutual TLS"),
    ("LEADSLA_KAFKA_SSL_KEY", "client key file (PEM)"),
    ("LEADSLA_KAFKA_SSL_KEY_PASSWORD", "password of the client key, if it is encrypted"),
    ("LEADSLA_KAFKA_SSL_CHECK_HOSTNAME", "1 (default) or 0: check the broker's certificate names its host"),
)


def environment_epilog() -> str:
    width = max(len(name) for name, _ in ENVIRONMENT)
    lines = [f"  {name.ljust(width)}  {text}" for name, text in ENVIRONMENT]
    return "environment variables (flags win over them):\n" + "\n".join(lines)
