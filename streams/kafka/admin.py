"""Topic administration and small produce/read helpers (kafka-python).

Works against Apache Kafka and against the embedded Tansu broker
(streams.kafka.broker). Everything here is synchronous and short-lived: each call
opens its own client and closes it before returning. A cluster is a ``KafkaCluster``
(bootstrap servers and their TLS/SASL settings) or a plain ``host:port`` string for a
plaintext one; every client takes its connection arguments from ``client_kwargs``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import for_code

from streams.kafka.clients import open_client
from streams.kafka.cluster import KafkaCluster

__all__ = [
    "ConsumerRecord",
    "KafkaCluster",
    "TopicPartitionMismatch",
    "TopicSpec",
    "ensure_topics",
    "produce",
    "read_topic",
    "topic_partitions",
]

_CLIENT_ID = "leadsla-admin"
_UNKNOWN_TOPIC = 3  # UNKNOWN_TOPIC_OR_PARTITION
_LEADER_NOT_AVAILABLE = 5  # topic just created, not in metadata yet


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    retention_ms: int | None = None
    compacted: bool = False

    def configs(self) -> dict[str, str]:
        configs: dict[str, str] = {}
        if self.retention_ms is not None:
            configs["retention.ms"] = str(self.retention_ms)
        if self.compacted:
            configs["cleanup.policy"] = "compact"
        return configs


class TopicPartitionMismatch(RuntimeError):
    """A topic exists with a partition count other than the one required."""

    def __init__(self, mismatches: dict[str, tuple[int, int]], bootstrap: str) -> None:
        self.mismatches = mismatches  # name -> (wanted, actual)
        details = "; ".join(
            f"topic {name!r} has {actual} partitions, {wanted} required"
            for name, (wanted, actual) in sorted(mismatches.items())
        )
        super().__init__(
            f"{details} (on {bootstrap}). Kafka cannot shrink a topic and growing it "
            "re-maps keys to partitions: delete and recreate the topic, or change the spec."
        )


# -- topics -------------------------------------------------------------------


def ensure_topics(bootstrap: str | KafkaCluster, specs: Iterable[TopicSpec], timeout_s: float = 15) -> None:
    """Create the topics that are missing; idempotent.

    Raises TopicPartitionMismatch, before creating anything, when an existing
    topic has another partition count. Configs (retention, compaction) are
    applied at creation only; existing topics' configs are not checked
    (Tansu does not report them).
    """
    wanted = _unique_specs(specs)
    if not wanted:
        return
    deadline = time.monotonic() + timeout_s
    with _admin(bootstrap, timeout_s) as admin:
        existing = _partition_counts(admin, list(wanted))
        _raise_on_mismatch(wanted, existing, bootstrap)
        missing = [spec for name, spec in wanted.items() if existing[name] is None]
        if missing:
            _create(admin, missing, timeout_s)
        # Re-check: another process may have created a topic concurrently, with
        # another count; and a new topic is usable only once in the metadata.
        counts = _wait_until_visible(admin, list(wanted), deadline, bootstrap)
        _raise_on_mismatch(wanted, counts, bootstrap)


def topic_partitions(bootstrap: str | KafkaCluster, name: str) -> int | None:
    """Partition count of ``name``, or None if the topic does not exist."""
    with _admin(bootstrap, 10) as admin:
        return _partition_counts(admin, [name])[name]


def _unique_specs(specs: Iterable[TopicSpec]) -> dict[str, TopicSpec]:
    by_name: dict[str, TopicSpec] = {}
    for spec in specs:
        if spec.partitions < 1:
            raise ValueError(f"topic {spec.name!r}: partitions must be >= 1, got {spec.partitions}")
        previous = by_name.setdefault(spec.name, spec)
        if previous != spec:
            raise ValueError(f"conflicting specs for topic {spec.name!r}: {previous} vs {spec}")
    return by_name


def _bootstrap_timeout(client_cls: type, timeout_s: float) -> dict[str, int]:
    """Client option bounding the initial connection (default 30 s, longer
    than our callers' timeouts). kafka-python 2 and 3 name it differently."""
    for key in ("bootstrap_timeout_ms", "api_version_auto_timeout_ms"):
        if key in getattr(client_cls, "DEFAULT_CONFIG", {}):
            return {key: int(timeout_s * 1000)}
    return {}


@contextmanager
def _admin(bootstrap: str | KafkaCluster, timeout_s: float) -> Iterator[KafkaAdminClient]:
    admin = open_client(
        KafkaAdminClient, bootstrap,
        client_id=_CLIENT_ID,
        request_timeout_ms=int(timeout_s * 1000),
        **_bootstrap_timeout(KafkaAdminClient, timeout_s),
    )
    try:
        yield admin
    finally:
        admin.close()


def _partition_counts(admin: KafkaAdminClient, names: list[str]) -> dict[str, int | None]:
    """Partition count per topic, None for topics that don't exist (yet).

    A Metadata request from the admin client does not auto-create topics.
    """
    counts: dict[str, int | None] = {name: None for name in names}
    for topic in admin.describe_topics(names):
        code = topic["error_code"]
        if code in (_UNKNOWN_TOPIC, _LEADER_NOT_AVAILABLE):
            continue
        if code != 0:
            raise for_code(code)(f"describing topic {topic['name']!r}")
        counts[topic["name"]] = len(topic["partitions"]) or None
    return counts


def _create(admin: KafkaAdminClient, specs: list[TopicSpec], timeout_s: float) -> None:
    request = {
        spec.name: {
            "num_partitions": spec.partitions,
            "replication_factor": -1,  # the broker's default: 1 on a test broker
            "configs": spec.configs(),
        }
        for spec in specs
    }
    response = admin.create_topics(request, timeout_ms=int(timeout_s * 1000), raise_errors=False)
    for result in response["topics"]:
        code = result["error_code"]
        # TOPIC_ALREADY_EXISTS: lost a race with another creator; the count is
        # checked afterwards like any existing topic's.
        if code not in (0, 36):
            raise for_code(code)(f"creating topic {result['name']!r}: {result['error_message']}")


def _wait_until_visible(
    admin: KafkaAdminClient, names: list[str], deadline: float, bootstrap: str
) -> dict[str, int | None]:
    while True:
        counts = _partition_counts(admin, names)
        absent = sorted(name for name, count in counts.items() if count is None)
        if not absent:
            return counts
        if time.monotonic() >= deadline:
            raise TimeoutError(f"topics {absent} not visible in the metadata of {bootstrap}")
        time.sleep(0.05)


def _raise_on_mismatch(
    wanted: dict[str, TopicSpec], counts: dict[str, int | None], bootstrap: str
) -> None:
    mismatches = {
        name: (spec.partitions, actual)
        for name, spec in wanted.items()
        if (actual := counts.get(name)) is not None and actual != spec.partitions
    }
    if mismatches:
        raise TopicPartitionMismatch(mismatches, bootstrap)


# -- produce / read -----------------------------------------------------------


def produce(
    bootstrap: str | KafkaCluster,
    topic: str,
    records: Iterable[tuple[bytes | None, bytes]],
    *,
    timestamp_ms: int | None = None,
) -> int:
    """Send ``(key, value)`` pairs, wait until all are acknowledged, return the count.

    Keys are partitioned with the Java client's murmur2 hash, as Faust does.
    Raises the first send error, if any.
    """
    producer = open_client(
        KafkaProducer, bootstrap,
        client_id=_CLIENT_ID,
        acks="all",
        linger_ms=5,  # batch the burst instead of one request per record
        batch_size=64 * 1024,
        **_bootstrap_timeout(KafkaProducer, 15),
    )
    try:
        futures = [
            producer.send(topic, key=key, value=value, timestamp_ms=timestamp_ms)
            for key, value in records
        ]
        producer.flush()
        for future in futures:
            future.get(timeout=0)  # already resolved by flush(); raises on failure
        return len(futures)
    finally:
        producer.close(timeout=5)


def read_topic(
    bootstrap: str | KafkaCluster, name: str, *, timeout_s: float = 10, idle_s: float = 1.0
) -> list[ConsumerRecord]:
    """Every record of ``name`` present when called, sorted by (partition, offset).

    Uses an assigned consumer (no group, nothing committed). Stops when each
    partition's position reaches its end offset; when nothing arrives for
    ``idle_s`` although some partition is short of it (an end offset that can't
    be reached, e.g. after compaction or transaction markers); or raises
    TimeoutError after ``timeout_s``.
    Raises LookupError if the topic does not exist.
    """
    consumer = open_client(
        KafkaConsumer, bootstrap,
        client_id=_CLIENT_ID,
        group_id=None,
        enable_auto_commit=False,
        allow_auto_create_topics=False,
        auto_offset_reset="earliest",
        **_bootstrap_timeout(KafkaConsumer, timeout_s),
    )
    try:
        partitions = consumer.partitions_for_topic(name)
        if not partitions:
            raise LookupError(f"topic {name!r} does not exist on {bootstrap}")
        tps = [TopicPartition(name, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records = _read_to_end(consumer, tps, timeout_s, idle_s)
    finally:
        consumer.close(autocommit=False)
    return sorted(records, key=lambda r: (r.partition, r.offset))


def _read_to_end(
    consumer: KafkaConsumer, tps: list[TopicPartition], timeout_s: float, idle_s: float
) -> list[ConsumerRecord]:
    targets: dict[TopicPartition, int] = consumer.end_offsets(tps)
    pending = {tp for tp in tps if consumer.position(tp) < targets[tp]}
    raised: set[TopicPartition] = set()
    records: list[ConsumerRecord] = []
    deadline = time.monotonic() + timeout_s
    last_arrival = time.monotonic()
    while pending:
        now = time.monotonic()
        if now >= deadline:
            short = sorted(tp.partition for tp in pending)
            raise TimeoutError(
                f"read_topic({tps[0].topic!r}): partitions {short} "
                f"short of their end offsets after {timeout_s:g}s"
            )
        if now - last_arrival >= idle_s:
            break
        for batch in consumer.poll(timeout_ms=100).values():
            records.extend(batch)
            last_arrival = time.monotonic()
        for tp in list(pending):
            # Tansu's ListOffsets answers base-offset-of-the-last-batch + 1, which
            # can lie inside the last batch; the Fetch response's high watermark
            # is right. Raise the target to the first one seen, once, so that a
            # concurrent producer can't keep us reading forever.
            highwater = consumer.highwater(tp)
            if highwater is not None and tp not in raised:
                targets[tp] = max(targets[tp], highwater)
                raised.add(tp)
            if consumer.position(tp) >= targets[tp]:
                pending.discard(tp)
    return records
