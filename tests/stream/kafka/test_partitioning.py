"""A lead's home partition is the one Kafka's default partitioner gives its id, and a
record found elsewhere is refused with a reason that says where it belongs."""

import pytest
from kafka.partitioner.default import murmur2 as kafka_python_murmur2

from streams.kafka.partitioning import misrouted, partition_for


@pytest.mark.parametrize("lead_id", ["L-1", "B-0000001", "lead-ü-42", "x" * 200])
@pytest.mark.parametrize("partitions", [1, 4, 12, 64])
def test_the_home_partition_is_where_kafka_python_sends_the_key(lead_id, partitions):
    # kafka-python's own port of the Java client's default partitioner (murmur2, sign bit masked)
    assert partition_for(lead_id, partitions) == (kafka_python_murmur2(lead_id.encode()) & 0x7FFFFFFF) % partitions


def test_a_record_on_its_home_partition_is_accepted():
    assert misrouted("L-1", partition_for("L-1", 12), 12) is None


def test_a_record_elsewhere_is_refused_naming_both_partitions():
    home = partition_for("L-1", 12)
    reason = misrouted("L-1", (home + 1) % 12, 12)
    assert f"belongs to partition {home} of 12" in reason and f"on partition {(home + 1) % 12}" in reason
