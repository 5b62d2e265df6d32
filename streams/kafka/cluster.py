"""Where a Kafka cluster is and how to reach it: the bootstrap servers and their security.

Every kafka-python client the project opens takes its arguments from ``client_kwargs``, so a
cluster reached over TLS or SASL is reached that way by the topic admin, the readers and the
simulator alike. A plain ``host:port`` string still names a cluster reached in plaintext (the
embedded broker, tests, developer tools).
"""

from __future__ import annotations

from dataclasses import dataclass

from streams.kafka.compression import kafka_python_producer_options
from streams.kafka.security import PLAINTEXT, KafkaSecurity, kafka_python_kwargs

__all__ = ["KafkaCluster", "as_cluster"]


@dataclass(frozen=True)
class KafkaCluster:
    bootstrap: str  # host:port[,host:port...]
    security: KafkaSecurity = PLAINTEXT
    compression: str | None = None  # for the producers opened on it

    def client_kwargs(self) -> dict:
        """``bootstrap_servers`` and the security arguments, for any kafka-python client."""
        servers = [server.strip() for server in self.bootstrap.split(",") if server.strip()]
        return {"bootstrap_servers": servers, **kafka_python_kwargs(self.security)}

    def producer_kwargs(self) -> dict:
        """What a kafka-python producer takes beyond ``client_kwargs``."""
        return kafka_python_producer_options(self.compression)

    def __str__(self) -> str:  # error messages name the cluster as its bootstrap list
        return self.bootstrap


def as_cluster(target: str | KafkaCluster) -> KafkaCluster:
    return target if isinstance(target, KafkaCluster) else KafkaCluster(target)
