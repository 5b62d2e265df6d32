"""Input topics written compressed, as Kafka Connect, Debezium and Java producers often write
them: every codec is read by ``leadsla evaluate --broker`` (kafka-python) and by the worker
(aiokafka under Faust), with exactly the outcomes of the same events read from a file."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kafka import KafkaProducer

from streams.kafka.admin import ensure_topics
from streams.kafka.codec import encode
from streams.kafka.compression import CODECS, compression_from_setting, kafka_python_producer_options
from streams.runtime.settings import Settings, TopicNames
from streams.runtime.topology import topic_specs
from streams.simulator.traffic import ScheduledEvent, TrafficModel
from tests.harness import REPO, wait_for
from tests.scenarios import MONDAY_10_ET

pytestmark = pytest.mark.broker

# The library each kafka-python codec needs (gzip is in the standard library).
CODEC_MODULES = {"snappy": ("snappy",), "lz4": ("lz4", "lz4.frame"), "zstd": ("zstandard",)}


def two_hours_of_traffic() -> list:
    model = TrafficModel(random.Random(5), leads_per_hour=120)
    scheduled = model.events_between(MONDAY_10_ET, MONDAY_10_ET + timedelta(hours=2))
    return [s.event for s in scheduled if isinstance(s, ScheduledEvent)]


def produce_with_every_codec(bootstrap: str, topics: TopicNames, events: list) -> None:
    """Each lead's events through one codec's producer, the leads dealt round the four codecs.
    Several records per batch, so each batch compresses (a client sends a batch plain when
    compressing would not make it smaller)."""
    leads = sorted({e.lead_id for e in events})
    codec_of = {lead: CODECS[index % len(CODECS)] for index, lead in enumerate(leads)}
    by_kind = {"lead_converted": topics.conversions, "handoff": topics.handoffs, "contact_attempt": topics.attempts}
    for codec in CODECS:
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=200,
                                 **kafka_python_producer_options(compression_from_setting(codec)))
        try:
            for event in (e for e in events if codec_of[e.lead_id] == codec):
                producer.send(by_kind[event.kind], key=event.lead_id.encode(), value=encode(event))
            producer.flush()
        finally:
            producer.close()


def leadsla(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True,
                          cwd=REPO, env=env, timeout=300)


def env_for(settings: Settings) -> dict[str, str]:
    import os
    return dict(os.environ, PYTHONPATH=str(REPO), LEADSLA_TOPIC_PREFIX=settings.topic_prefix)


@pytest.fixture(scope="module")
def compressed_topics(kafka_bootstrap, tmp_path_factory):
    """Input topics holding two hours of traffic written with all four codecs, and the same events as JSONL."""
    settings = Settings(broker=kafka_bootstrap, topic_prefix=f"zip-{uuid.uuid4().hex[:8]}", partitions=2)
    ensure_topics(kafka_bootstrap, topic_specs(settings))
    events = two_hours_of_traffic()
    produce_with_every_codec(kafka_bootstrap, settings.topics, events)
    jsonl = tmp_path_factory.mktemp("zip") / "events.jsonl"
    jsonl.write_text("".join(encode(e).decode() + "\n" for e in events))
    return settings, events, jsonl


def test_evaluate_reads_topics_written_with_every_codec_as_it_reads_the_file(compressed_topics):
    settings, events, jsonl = compressed_topics
    as_of = datetime.now(timezone.utc).isoformat()
    audit = leadsla("evaluate", "--broker", settings.bootstrap, "--as-of", as_of, env=env_for(settings))
    offline = leadsla("evaluate", "--events", str(jsonl), "--as-of", as_of)
    assert audit.returncode == 0, audit.stderr[-3000:]
    assert f'"events": {len(events)}' in audit.stderr and '"rejected": 0' in audit.stderr
    assert len(events) > 200 and audit.stdout.count("\n") > 100
    assert sorted(audit.stdout.splitlines()) == sorted(offline.stdout.splitlines())


@pytest.mark.parametrize("codec", sorted(CODEC_MODULES))
def test_the_records_really_are_compressed_on_the_broker(compressed_topics, codec):
    """Without its codec's library kafka-python cannot read them: the failure the missing
    dependencies caused, and proof the test above read compressed batches."""
    settings, _, _ = compressed_topics
    hide = "; ".join(f"sys.modules[{name!r}] = None" for name in CODEC_MODULES[codec])
    script = (f"import sys; {hide}\nfrom streams.kafka.admin import read_topic\n"
              f"read_topic({settings.bootstrap!r}, {settings.topics.handoffs!r})")
    reader = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert reader.returncode != 0
    assert "UnsupportedCodecError" in reader.stderr and codec in reader.stderr.lower()


def test_a_worker_reads_inputs_written_with_every_codec(pipeline, tmp_path):
    events = two_hours_of_traffic()
    produce_with_every_codec(pipeline.settings.bootstrap, pipeline.settings.topics, events)
    as_of = datetime.now(timezone.utc).isoformat()
    audit = leadsla("evaluate", "--broker", pipeline.settings.bootstrap, "--as-of", as_of,
                    env=env_for(pipeline.settings))
    expected = {json.loads(line)["outcome_id"] for line in audit.stdout.splitlines() if line}
    assert audit.returncode == 0 and len(expected) > 100, audit.stderr[-3000:]
    pipeline.start_worker()
    live = wait_for(pipeline.outcomes, lambda found: expected <= {o.outcome_id for o in found}, 120)
    assert {o.outcome_id for o in live} == expected, pipeline.worker_logs()
