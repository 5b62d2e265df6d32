"""The two plain-Kafka stages: producing the workload, and the raw consumer baseline (aiokafka)."""

from __future__ import annotations

import asyncio
import json
import time

from tools.bench.rates import BenchError, Rate
from tools.bench.workload import Record


async def produce(bootstrap: str, topics, records: list[Record]) -> Rate:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=256 * 1024)
    await producer.start()
    try:
        started = time.monotonic()
        await asyncio.gather(*[await producer.send(getattr(topics, field), value=value, key=key, timestamp_ms=ts)
                               for field, key, value, ts in records])
        return Rate(len(records), time.monotonic() - started)
    finally:
        await producer.stop()


async def consume_raw(bootstrap: str, inputs, events: int) -> Rate:
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign([TopicPartition(t, p) for t in inputs for p in consumer.partitions_for_topic(t)])
        await consumer.seek_to_beginning()
        count, first, last, deadline = 0, 0.0, 0.0, time.monotonic() + 60 + events / 1000
        while count < events:
            if time.monotonic() > deadline:
                raise BenchError(f"raw consumer read only {count:,} of {events:,} events")
            for batch in (await consumer.getmany(timeout_ms=500, max_records=10_000)).values():
                first = first or time.monotonic()
                for record in batch:
                    json.loads(record.value)
                count, last = count + len(batch), time.monotonic()
        return Rate(count, last - first)
    finally:
        await consumer.stop()

