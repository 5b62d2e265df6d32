"""Broker plumbing: topic admin, produce/read helpers, the embedded broker."""

from __future__ import annotations

import socket
import time
from collections import defaultdict
from collections.abc import Callable

import pytest

from streams.kafka.admin import (
    TopicPartitionMismatch,
    TopicSpec,
    ensure_topics,
    produce,
    read_topic,
    topic_partitions,
)
from streams.kafka.broker import BrokerStartError, EmbeddedBroker, free_port
from tests.conftest import kafka_container_class

pytestmark = pytest.mark.broker

NameFactory = Callable[[str], str]


def _keyed_records(count: int, keys: int) -> list[tuple[bytes | None, bytes]]:
    return [(f"lead-{i % keys}".encode(), f"event-{i}".encode()) for i in range(count)]


def _assert_round_trip(bootstrap: str, topic: str, sent: list[tuple[bytes | None, bytes]]) -> None:
    """read_topic returns exactly ``sent``, each key's values in send order."""
    got = read_topic(bootstrap, topic)
    assert sorted((r.key or b"", r.value) for r in got) == sorted((k or b"", v) for k, v in sent)
    by_partition: dict[int, list[int]] = defaultdict(list)
    for record in got:
        by_partition[record.partition].append(record.offset)
    for offsets in by_partition.values():
        assert offsets == sorted(offsets)
    for key in {k for k, _ in sent}:
        assert [r.value for r in got if r.key == key] == [v for k, v in sent if k == key]
    # One key always lands in one partition (murmur2, like the Java client and Faust).
    assert all(len({r.partition for r in got if r.key == k}) == 1 for k in {k for k, _ in sent})


# -- ensure_topics / topic_partitions ----------------------------------------------


def test_ensure_topics_creates_requested_partition_counts(
    kafka_bootstrap: str, unique_name: NameFactory
) -> None:
    specs = [
        TopicSpec(unique_name("events"), partitions=3),
        TopicSpec(unique_name("single"), partitions=1),
        TopicSpec(unique_name("table"), partitions=6, retention_ms=3_600_000, compacted=True),
    ]
    ensure_topics(kafka_bootstrap, specs)
    assert [topic_partitions(kafka_bootstrap, s.name) for s in specs] == [3, 1, 6]


def test_ensure_topics_is_idempotent(kafka_bootstrap: str, unique_name: NameFactory) -> None:
    spec = TopicSpec(unique_name("twice"), partitions=2)
    ensure_topics(kafka_bootstrap, [spec])
    ensure_topics(kafka_bootstrap, [spec, spec])  # duplicates in one call are fine too
    assert topic_partitions(kafka_bootstrap, spec.name) == 2


def test_ensure_topics_rejects_wrong_partition_count(
    kafka_bootstrap: str, unique_name: NameFactory
) -> None:
    name, other = unique_name("fixed"), unique_name("not-created")
    ensure_topics(kafka_bootstrap, [TopicSpec(name, partitions=2)])
    with pytest.raises(TopicPartitionMismatch) as caught:
        ensure_topics(kafka_bootstrap, [TopicSpec(other, 1), TopicSpec(name, partitions=5)])
    message = str(caught.value)
    assert name in message and "2 partitions" in message and "5 required" in message
    assert caught.value.mismatches == {name: (5, 2)}
    # Checked before creating anything: no half-applied spec list.
    assert topic_partitions(kafka_bootstrap, other) is None
    assert topic_partitions(kafka_bootstrap, name) == 2


def test_topic_partitions_of_missing_topic_is_none_and_not_created(
    kafka_bootstrap: str, unique_name: NameFactory
) -> None:
    name = unique_name("absent")
    assert topic_partitions(kafka_bootstrap, name) is None
    assert topic_partitions(kafka_bootstrap, name) is None


# -- produce / read_topic ----------------------------------------------------------


def test_produce_then_read_topic_round_trip(kafka_bootstrap: str, unique_name: NameFactory) -> None:
    topic = unique_name("roundtrip")
    ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=3)])
    sent = _keyed_records(60, keys=7) + [(None, b"keyless")]
    assert produce(kafka_bootstrap, topic, sent) == len(sent)
    _assert_round_trip(kafka_bootstrap, topic, sent)


def test_read_topic_reads_whole_last_batch(kafka_bootstrap: str, unique_name: NameFactory) -> None:
    # Tansu's end_offsets point inside the last batch; read_topic must still
    # return every record of a big single-partition batch, then a small one.
    topic = unique_name("batch")
    ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=1)])
    sent = _keyed_records(700, keys=1)
    produce(kafka_bootstrap, topic, sent[:650])
    produce(kafka_bootstrap, topic, sent[650:])
    got = read_topic(kafka_bootstrap, topic)
    assert [(r.key, r.value) for r in got] == sent
    assert [r.offset for r in got] == list(range(700))


def test_produce_keeps_given_timestamp(kafka_bootstrap: str, unique_name: NameFactory) -> None:
    topic = unique_name("stamped")
    ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=2)])
    stamp = 1_700_000_000_123
    produce(kafka_bootstrap, topic, _keyed_records(5, keys=5), timestamp_ms=stamp)
    assert [r.timestamp for r in read_topic(kafka_bootstrap, topic)] == [stamp] * 5


def test_read_topic_on_empty_topic_is_prompt(
    kafka_bootstrap: str, unique_name: NameFactory
) -> None:
    topic = unique_name("empty")
    ensure_topics(kafka_bootstrap, [TopicSpec(topic, partitions=4)])
    started = time.monotonic()
    assert read_topic(kafka_bootstrap, topic) == []
    assert time.monotonic() - started < 1.0


def test_read_topic_on_missing_topic_raises(kafka_bootstrap: str, unique_name: NameFactory) -> None:
    name = unique_name("nowhere")
    with pytest.raises(LookupError, match=name):
        read_topic(kafka_bootstrap, name)
    assert topic_partitions(kafka_bootstrap, name) is None  # and it was not auto-created


# -- EmbeddedBroker ----------------------------------------------------------------


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_embedded_broker_stop_frees_port(tmp_path) -> None:
    with EmbeddedBroker(log_dir=tmp_path) as broker:
        port = broker.port
        assert broker.bootstrap == f"127.0.0.1:{port}"
        assert not _port_is_free(port)
        assert topic_partitions(broker.bootstrap, "anything") is None  # it answers
    assert not broker.running
    assert _port_is_free(port)
    broker.stop()  # stopping twice is harmless


def test_embedded_broker_on_given_port(tmp_path) -> None:
    port = free_port()
    broker = EmbeddedBroker(port, log_dir=tmp_path).start()
    try:
        assert broker.bootstrap == f"127.0.0.1:{port}"
        assert broker.log_path is not None and broker.log_path.parent == tmp_path
    finally:
        broker.stop()
    assert _port_is_free(port)


def test_embedded_broker_reports_taken_port(tmp_path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(BrokerStartError, match=f"{port}.*address in use"):
            EmbeddedBroker(port, log_dir=tmp_path, startup_timeout_s=5).start()


def test_embedded_broker_reports_missing_binary(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CALF_TANSU_BIN", str(tmp_path / "no-such-tansu"))
    with pytest.raises(BrokerStartError, match="cannot resolve the Tansu broker binary"):
        EmbeddedBroker(log_dir=tmp_path).start()


# -- testcontainers path -----------------------------------------------------------


def test_testcontainers_kafka_round_trip(docker_available: bool, unique_name: NameFactory) -> None:
    if not docker_available:
        pytest.skip("no Docker engine answers; the testcontainers Kafka path needs one")
    with kafka_container_class()() as container:
        bootstrap = container.get_bootstrap_server()
        topic = unique_name("container")
        ensure_topics(bootstrap, [TopicSpec(topic, partitions=2)])
        sent = _keyed_records(20, keys=4)
        produce(bootstrap, topic, sent)
        _assert_round_trip(bootstrap, topic, sent)
