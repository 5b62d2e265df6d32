"""One cheap question to the broker: which of these topics do you hold, and which cluster are you?

The worker's broker watch (streams.runtime.broker_watch) asks it every second. It is a Metadata
request for the named topics only, never creating them (``allow_auto_topic_creation=False``),
over a client of its own, so a producer waiting for acknowledgements or a consumer waiting on a
fetch does not delay the answer. Every known broker of the cluster is tried in turn; a question
not answered within ``timeout_s`` raises ``BrokerUnreachable``, and the next one connects afresh
from the bootstrap servers (a broker restarted on the same address is found again).

aiokafka, like the worker: ``auth`` is what Faust gives its own aiokafka clients (the app's
``broker_credentials`` translated by Faust), so the probe connects as the worker does.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Collection
from dataclasses import dataclass

from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaConnectionError, KafkaError, NodeNotReadyError, RequestTimedOutError
from aiokafka.protocol.metadata import MetadataRequest

__all__ = ["BrokerUnreachable", "ClusterView", "MetadataProbe"]

UNKNOWN_TOPIC_OR_PARTITION = 3  # the Kafka error code of a topic the broker does not hold


class BrokerUnreachable(Exception):
    """No broker of the cluster answered; the message says why, for a log line."""


@dataclass(frozen=True)
class ClusterView:
    cluster_id: str | None  # None from a broker too old to say (Metadata v0, v1)
    topics: frozenset[str]  # those of the topics asked about that the broker holds


class MetadataProbe:
    def __init__(self, bootstrap: str, auth: dict, *, timeout_s: float = 5.0,
                 client_id: str = "leadsla-broker-watch") -> None:
        self.bootstrap = bootstrap
        self.timeout_s = timeout_s
        self._options = dict(auth, client_id=client_id, request_timeout_ms=int(timeout_s * 1000))
        self._client: AIOKafkaClient | None = None
        self._bootstrapped = False

    async def look(self, topics: Collection[str]) -> ClusterView:
        """What the cluster holds of ``topics`` now; BrokerUnreachable if it does not answer."""
        try:
            return await asyncio.wait_for(self._ask(list(topics)), self.timeout_s * 2)
        except asyncio.TimeoutError:
            await self.close()
            raise BrokerUnreachable(f"no answer within {self.timeout_s:g} s") from None
        except (KafkaError, OSError) as error:
            await self.close()
            raise BrokerUnreachable(_why(error, self.timeout_s)) from None

    async def close(self) -> None:
        client, self._client, self._bootstrapped = self._client, None, False
        if client is not None:
            await client.close()

    async def _ask(self, topics: list[str]) -> ClusterView:
        client = await self._connected()
        request = MetadataRequest(topics, allow_auto_topic_creation=False)
        nodes = [broker.nodeId for broker in client.cluster.brokers()]
        random.shuffle(nodes)
        error: KafkaError = NodeNotReadyError("no broker of the cluster is known")
        for node in nodes:
            try:
                response = await client.send(node, request)
            except KafkaError as failed:
                error = failed
                continue
            client.cluster.update_metadata(response)  # brokers come and go: ask the current ones next time
            return _view(response)
        raise error

    async def _connected(self) -> AIOKafkaClient:
        if self._client is None:
            servers = [server.strip() for server in self.bootstrap.split(",") if server.strip()]
            self._client = AIOKafkaClient(bootstrap_servers=servers, **self._options)
        if not self._bootstrapped:
            await self._client.bootstrap()
            self._bootstrapped = True
        return self._client


def _view(response) -> ClusterView:
    held = frozenset(topic[1] for topic in response.topics if topic[0] != UNKNOWN_TOPIC_OR_PARTITION)
    return ClusterView(getattr(response, "cluster_id", None), held)


def _why(error: Exception, timeout_s: float) -> str:
    if isinstance(error, (KafkaConnectionError, NodeNotReadyError, OSError)):
        return "cannot connect"
    if isinstance(error, RequestTimedOutError):
        return f"no answer within {timeout_s:g} s"
    return str(error) or type(error).__name__  # aiokafka's errors name their class
