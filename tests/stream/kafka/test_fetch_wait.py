"""The worker's consumer waits at most the configured fetch wait (Faust hard-codes 1.5 s)."""

from __future__ import annotations

import asyncio

import faust
import pytest

from streams.kafka.fetch_wait import FetchWaitTransport, use_fetch_wait
from streams.runtime.app import create_app
from streams.runtime.policy_source import load_policy
from streams.runtime.settings import Settings, settings_from_env

NOWHERE = "127.0.0.1:9"  # nothing is started: the consumer is built, never connected


def worker_consumer_wait_ms(app: faust.App) -> int:
    """The fetch wait of the aiokafka consumer the app's worker would start (built in a running loop, as Faust does)."""
    async def build() -> int:
        consumer = app.consumer._thread._create_worker_consumer(app.transport)
        try:
            return consumer._fetch_max_wait_ms
        finally:
            await consumer.stop()
    return asyncio.run(build())


def test_the_pipeline_app_consumes_with_the_configured_fetch_wait(tmp_path):
    settings = Settings(broker=NOWHERE, metrics_port=0, data_dir=tmp_path, fetch_wait_s=0.05)
    app = create_app(settings, load_policy(None))
    assert isinstance(app.transport, FetchWaitTransport)
    assert worker_consumer_wait_ms(app) == 50


def test_aiokafka_reads_the_fetch_wait_where_it_is_set():
    """Guards the private attribute against an aiokafka upgrade: the constructor's value lives there."""
    async def stored() -> int:
        from aiokafka import AIOKafkaConsumer

        consumer = AIOKafkaConsumer(bootstrap_servers=NOWHERE, fetch_max_wait_ms=321)
        try:
            return consumer._fetch_max_wait_ms
        finally:
            await consumer.stop()
    assert asyncio.run(stored()) == 321


def test_any_faust_app_can_take_the_transport():
    app = faust.App("bare", broker=f"kafka://{NOWHERE}")
    use_fetch_wait(app, 0.2)
    assert worker_consumer_wait_ms(app) == 200


def test_the_fetch_wait_setting():
    assert settings_from_env({}).fetch_wait_s == 0.1
    assert settings_from_env({"LEADSLA_FETCH_WAIT": "0.25"}).fetch_wait_s == 0.25
    with pytest.raises(ValueError, match="LEADSLA_FETCH_WAIT"):
        settings_from_env({"LEADSLA_FETCH_WAIT": "soon"})
