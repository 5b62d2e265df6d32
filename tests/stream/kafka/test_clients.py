"""Every Kafka client the shipped code opens is opened with the cluster's security settings.

A client built directly (``KafkaProducer(bootstrap_servers=...)``) would connect in plaintext to
a cluster that requires TLS or SASL, and fail there only. So the source is read: kafka-python
clients are built only by ``streams.kafka.clients.open_client``; Faust gets its credentials
from the app factory (tests/stream/kafka/test_security.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.source_parsing import parse_source

REPO = Path(__file__).resolve().parents[3]
SHIPPED = ("models", "streams", "alerts", "grafana")
CLIENT_CLASSES = frozenset({"KafkaProducer", "KafkaConsumer", "KafkaAdminClient",
                            "AIOKafkaProducer", "AIOKafkaConsumer", "AIOKafkaAdminClient", "AIOKafkaClient"})
# The embedded broker's readiness probe: it talks to the plaintext broker it just started.
# The worker's broker probe is given the Faust app's own aiokafka credentials
# (streams.runtime.broker_watch.probe_auth; tests/stream/runtime/test_broker_state.py).
ALLOWED = {"streams/kafka/broker.py": "a probe of the embedded broker, always plaintext",
           "streams/kafka/metadata_probe.py": "the broker watch's probe, with the worker's credentials"}


def direct_constructions(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(parse_source(source, name)):
        if isinstance(node, ast.Call):
            called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if called in CLIENT_CLASSES:
                found.append(f"{name}:{node.lineno}: {called}(...)")
    return found


def test_no_shipped_module_builds_a_kafka_client_itself():
    sources = sorted(p for package in SHIPPED for p in (REPO / package).rglob("*.py"))
    found = [hit for path in sources if (name := str(path.relative_to(REPO))) not in ALLOWED
             for hit in direct_constructions(path.read_text(), name)]
    assert found == [], "open it with streams.kafka.clients.open_client(cls, cluster, ...)"


def test_the_checker_sees_a_direct_construction():
    source = "from kafka import KafkaProducer\nimport kafka\np = KafkaProducer(bootstrap_servers='x')\n" \
             "c = kafka.KafkaConsumer()\nok = open_client(KafkaProducer, cluster)\n"
    assert direct_constructions(source, "m.py") == ["m.py:3: KafkaProducer(...)", "m.py:4: KafkaConsumer(...)"]
