"""Feeds the traffic model into Kafka in (simulated) real time.

``run_simulator`` sleeps until each scheduled record's time on the given clock and
produces it to the topic for its kind, keyed by lead id (so a lead's events stay
in one partition, in order), with the Kafka record timestamp set to the event time.
``feed`` is the same loop over any producer-like object, so it is testable
without a broker. ``generate_jsonl`` writes the same traffic as JSON lines.
"""

from __future__ import annotations

import itertools
import threading
from datetime import datetime
from typing import Callable, Iterable, Iterator, Protocol

from streams.kafka.clients import open_client
from streams.kafka.cluster import KafkaCluster
from streams.kafka.codec import encode
from streams.runtime.clock import Clock, wall_seconds_until
from streams.runtime.settings import TopicNames
from streams.simulator.deals import closed_loop_history
from streams.simulator.traffic import Scheduled, ScheduledEvent, ScheduledRaw, TrafficModel

FLUSH_EVERY = 200  # records; we also flush whenever we are about to sleep
MAX_NAP_S = 1.0  # re-read the clock at least this often while waiting


class Producer(Protocol):
    def send(self, topic: str, value: bytes, key: bytes | None, timestamp_ms: int | None) -> object: ...

    def flush(self) -> None: ...


def run_simulator(
    bootstrap: str | KafkaCluster,
    topics: TopicNames,
    clock: Clock,
    model: TrafficModel,
    *,
    stop: threading.Event,
    max_events: int | None = None,
    on_sent: Callable[[int], None] | None = None,
    start: datetime | None = None,
    history: bool = False,
) -> int:
    """Produce ``model``'s traffic from ``start`` (default: the clock's now) until
    ``stop`` is set or ``max_events`` records were sent; return the count sent.
    ``on_sent`` receives the running total after each record. ``history``: first the
    past year's marketing leads and deals (streams.simulator.deals), for the closed loop."""
    from kafka import KafkaProducer  # imported here so the pure parts load without kafka

    producer = open_client(KafkaProducer, bootstrap, acks="all", linger_ms=20)
    try:
        begin = start or clock.now()
        past = closed_loop_history(begin) if history else []
        schedule = itertools.chain(past, model.schedule(begin))
        return feed(producer, topics, clock, schedule, stop=stop, max_events=max_events, on_sent=on_sent)
    finally:
        producer.close()


def feed(
    producer: Producer,
    topics: TopicNames,
    clock: Clock,
    schedule: Iterable[Scheduled],
    *,
    stop: threading.Event,
    max_events: int | None = None,
    on_sent: Callable[[int], None] | None = None,
) -> int:
    sent = 0
    for item in schedule:
        if max_events is not None and sent >= max_events:
            break
        if not _wait_until(clock, item.at, stop, producer):
            break
        _send(producer, topics, item)
        sent += 1
        if sent % FLUSH_EVERY == 0:
            producer.flush()
        if on_sent is not None:
            on_sent(sent)
    producer.flush()
    return sent


def _wait_until(clock: Clock, at: datetime, stop: threading.Event, producer: Producer) -> bool:
    """Sleep until the clock reaches ``at``; False if ``stop`` was set meanwhile."""
    remaining = wall_seconds_until(clock, at)
    if remaining > 0:
        producer.flush()  # idle anyway: deliver what was sent before going quiet
    while remaining > 0:
        if stop.wait(min(remaining, MAX_NAP_S)):
            return False
        remaining = wall_seconds_until(clock, at)
    return not stop.is_set()


def _send(producer: Producer, topics: TopicNames, item: Scheduled) -> None:
    value = encode(item.event) if isinstance(item, ScheduledEvent) else item.payload
    producer.send(
        getattr(topics, item.topic),  # Topic literals are TopicNames field names
        value=value,
        key=item.key,
        timestamp_ms=round(item.at.timestamp() * 1000),
    )


def generate_jsonl(
    model: TrafficModel, start: datetime, end: datetime, *, include_raw: bool = False
) -> Iterator[str]:
    """One JSON document per line (no trailing newline) for the events of
    ``model.schedule(start)`` before ``end``; the deliberately broken records
    are left out unless ``include_raw``."""
    for item in itertools.takewhile(lambda item: item.at < end, model.schedule(start)):
        if isinstance(item, ScheduledEvent):
            yield encode(item.event).decode()
        elif include_raw and isinstance(item, ScheduledRaw):
            yield item.payload.decode("utf-8", errors="replace")
