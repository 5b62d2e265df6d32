"""Faust's Kafka transport with a consumer fetch wait of our choosing.

faust-streaming hard-codes aiokafka's ``fetch_max_wait_ms=1500`` (no setting changes
it, in any release so far). The embedded broker holds a fetch that covers several
partitions for that whole wait even when records are there, and a worker has one
fetch in flight at a time: every hop through a topic (a tick back to the tracker, an
outcome to the alerting agent) then waits up to 1.5 s, and a tick's claim rests on
the last fetch response, so it lags as much. Measured with ``leadsla bench-alerts``:
those waits were about half of the deadline -> page latency beyond the allowed
lateness. A real Kafka answers as soon as one byte is there (``fetch_min_bytes=1``),
so on it the wait only bounds idle polls: a shorter one costs a few small requests
a second per worker.

The value is set on the aiokafka consumer between its construction and ``start()``,
which is where aiokafka reads it to build its fetcher. The transport's consumer thread
also carries the guard against fetches that return across a rebalance
(streams.kafka.stale_fetch): this is the one seam where leadsla changes Faust's consumer.
"""

from __future__ import annotations

from faust.transport.drivers import aiokafka as faust_aiokafka

from streams.kafka.stale_fetch import StaleFetchGuard


class _ConsumerThread(StaleFetchGuard, faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport):
        consumer = super()._create_worker_consumer(transport)
        consumer._fetch_max_wait_ms = transport.fetch_max_wait_ms  # read by consumer.start() for its Fetcher
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self) -> _ConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class FetchWaitTransport(faust_aiokafka.Transport):
    """Faust's aiokafka transport, whose worker consumer waits at most ``fetch_max_wait_ms``."""

    Consumer = _Consumer

    def __init__(self, url, app, *, fetch_max_wait_ms: int, **kwargs) -> None:
        super().__init__(url, app, **kwargs)
        self.fetch_max_wait_ms = fetch_max_wait_ms


def use_fetch_wait(app, seconds: float) -> None:
    """Give ``app`` the transport above; call it before anything uses ``app.transport``."""
    app.transport = FetchWaitTransport(app.conf.broker_consumer, app, fetch_max_wait_ms=round(seconds * 1000))
