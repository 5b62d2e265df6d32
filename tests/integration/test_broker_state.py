"""The broker's state as an operator sees it: a real worker process on a broker of the test's own,
frozen (SIGSTOP), thawed, and restarted empty on the same address.

What is asserted is what an operator has: the worker's /metrics (``leadsla_broker_up``,
``leadsla_broker_unreachable_seconds``), its log, its exit status and its last words.
The fixtures are the fault suite's (tests/integration/test_faults.py)."""

from __future__ import annotations

import asyncio
import re
import signal
import time
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streams.kafka.admin import topic_partitions
from streams.kafka.broker import BrokerStartError, EmbeddedBroker, free_port
from streams.kafka.metadata_probe import BrokerUnreachable, MetadataProbe
from streams.metrics import names
from tests.harness import wait_for
from tests.integration.live_stream import LiveStream, lead_script
from tests.integration.outcome_check import live_outcomes
from tests.integration.test_faults import broker_process, own_broker  # noqa: F401 - the fixture, reused

pytestmark = pytest.mark.broker


def scrape(port: int) -> dict[str, float]:
    """The worker's unlabelled samples by name; empty while the endpoint does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode()
    except OSError:
        return {}
    return {sample.name: sample.value for family in text_string_to_metric_families(text)
            for sample in family.samples if not sample.labels}


def look(bootstrap: str, topics: list[str]):
    async def ask():
        probe = MetadataProbe(bootstrap, {"security_protocol": "PLAINTEXT"}, timeout_s=2)
        try:
            return await probe.look(topics)
        finally:
            await probe.close()
    return asyncio.run(ask())


def test_the_probe_says_which_topics_the_broker_holds_and_creates_none(pipeline):
    outcomes, never = pipeline.settings.topics.outcomes, f"{pipeline.settings.topic_prefix}.never-created"
    view = look(pipeline.settings.bootstrap, [outcomes, never])
    assert view.topics == {outcomes} and view.cluster_id
    assert topic_partitions(pipeline.settings.bootstrap, never) is None  # still not there


def test_the_probe_reports_an_address_where_no_broker_listens_within_seconds():
    began = time.monotonic()
    with pytest.raises(BrokerUnreachable, match="cannot connect"):
        look(f"127.0.0.1:{free_port()}", ["t"])
    assert time.monotonic() - began < 10


def log_of(pipeline, number: int = 0) -> str:
    return (pipeline.workdir / f"worker-{number}.log").read_text(errors="replace")


def with_metrics(pipeline) -> int:
    port = free_port()
    pipeline.settings = pipeline.settings.but(metrics_port=port)
    return port


def working(port: int) -> dict[str, float]:
    """Wait until the worker owns its partitions and writes ticks (its watch is running by then)."""
    return wait_for(lambda: scrape(port), lambda found: found.get(names.TICKS.name, 0) > 0, 90)


def test_a_frozen_broker_is_reported_down_in_the_metrics_and_the_log_then_up_again(own_broker):  # noqa: F811
    broker, pipeline = own_broker
    port = with_metrics(pipeline)
    worker = pipeline.start_worker()
    assert working(port).get(names.BROKER_UP.name) == 1, pipeline.worker_logs()
    address = broker.bootstrap

    broker_process(broker).send_signal(signal.SIGSTOP)
    down = wait_for(lambda: scrape(port), lambda found: found.get(names.BROKER_UP.name) == 0, 30)
    assert down.get(names.BROKER_UP.name) == 0, log_of(pipeline)[-4000:]
    time.sleep(3)
    away = scrape(port)[names.BROKER_UNREACHABLE.name]
    log = log_of(pipeline)
    lines = re.findall(rf"broker {re.escape(address)} unreachable since \d{{4}}-\d\d-\d\d [\d:]+ UTC \([^)]*\), "
                       r"retrying; outcomes are held until it answers", log)
    assert len(lines) == 1, log[-4000:]  # one line for the outage, not one per probe
    assert away >= 3, away

    broker_process(broker).send_signal(signal.SIGCONT)
    up = wait_for(lambda: scrape(port), lambda found: found.get(names.BROKER_UP.name) == 1, 30)
    assert up.get(names.BROKER_UP.name) == 1 and up.get(names.BROKER_UNREACHABLE.name) == 0, log_of(pipeline)[-4000:]
    back = re.findall(rf"broker {re.escape(address)} reachable again after (\d+) s", log_of(pipeline))
    assert len(back) == 1 and int(back[0]) >= 3, log_of(pipeline)[-4000:]
    assert worker.poll() is None, log_of(pipeline)[-4000:]  # a stall is ridden out, not a reason to stop


def restart_empty(broker: EmbeddedBroker, log_dir) -> EmbeddedBroker:
    """The same address, a fresh broker: memory only, so no topics, offsets or changelogs."""
    port = broker.port
    broker.stop()
    for _ in range(20):  # the old listener's port may take a moment to be free again
        try:
            return EmbeddedBroker(port=port, log_dir=log_dir).start()
        except BrokerStartError:
            time.sleep(0.5)
    raise AssertionError(f"no broker could start again on port {port}")


def test_a_broker_restarted_empty_stops_the_worker_naming_what_was_lost(own_broker, tmp_path):  # noqa: F811
    broker, pipeline = own_broker
    address = broker.bootstrap
    worker = pipeline.start_worker()
    LiveStream(address, pipeline.settings.topics, lead_script(7, 8, 2.0)).start().wait()
    wait_for(lambda: len(live_outcomes(pipeline)), lambda found: found >= 8, 60)  # it holds state now

    fresh = restart_empty(broker, tmp_path / "fresh-broker")
    try:
        worker.wait(timeout=60)
    finally:
        fresh.stop()
    log = log_of(pipeline)
    assert worker.returncode == 3, log[-4000:]
    last = log.strip().splitlines()[-1]
    topics = pipeline.settings.topics
    assert last.startswith(f"leadsla: stopped: the broker at {address} lost topics {topics.conversions}, "
                           f"{topics.handoffs}, {topics.attempts} and "), last
    assert "restarted empty?" in last and "its cluster id changed" in last, last
    assert "table changelogs and committed offsets this worker stood on are gone" in last, last
    assert "restart the stack" in last, last  # what to do, for the embedded broker
