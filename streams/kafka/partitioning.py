"""Where a lead's records belong: the partition Kafka's default partitioner gives its id.

The inputs are keyed by lead id and co-partitioned, so one worker sees all of a lead's
events (conversions, handoffs, attempts) on the same partition number and keeps its
state there. A record on another partition would start a second, wrong history of its
lead; it is refused with this reason instead. Producers key by lead id with murmur2,
the default of the Java client, kafka-python and aiokafka; librdkafka clients
(confluent-kafka) must set ``partitioner=murmur2_random``, as their default is crc32.
"""

from __future__ import annotations

from aiokafka.partitioner import murmur2


def partition_for(lead_id: str, partitions: int) -> int:
    return (murmur2(lead_id.encode()) & 0x7FFFFFFF) % partitions


def misrouted(lead_id: str, partition: int, partitions: int) -> str | None:
    """Why a record of ``lead_id`` on ``partition`` cannot be tracked there, or None."""
    home = partition_for(lead_id, partitions)
    if home == partition:
        return None
    return (f"lead {lead_id!r} belongs to partition {home} of {partitions} (records keyed by lead id, "
            f"default partitioner); this record is on partition {partition}")
