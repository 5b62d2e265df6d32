"""leadsla against a Kafka that only speaks mutual TLS: the worker, `leadsla simulate` and
`leadsla evaluate --broker` set up by the LEADSLA_KAFKA_* variables alone, and the errors an
operator sees when a TLS setting is wrong.

The broker (tests.integration.tls_broker) requires a client certificate from the test CA on
every connection, so any client that skipped the settings (Faust's consumer, producer or
topic admin, a kafka-python reader, the simulator's producer) would fail the test.
SASL is not tested end to end: the embedded broker cannot authenticate (see
tests/stream/kafka/test_security.py for what was tried); its client arguments are unit-tested.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime, timezone

import faust
import pytest

from models.outcomes import Outcome
from streams.kafka.admin import TopicSpec, ensure_topics, read_topic
from streams.kafka.cluster import KafkaCluster
from streams.kafka.metadata_probe import BrokerUnreachable, MetadataProbe
from streams.kafka.security import KafkaSecurityError
from streams.runtime.app import _faust_settings
from streams.runtime.broker_watch import probe_auth
from streams.runtime.settings import Settings
from tests.harness import Pipeline, wait_for
from tests.integration.tls_broker import TlsBroker, make_pki

pytestmark = pytest.mark.broker
SIMULATED_RECORDS = 80


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def tls_broker(pki, tmp_path_factory):
    with TlsBroker(pki, tmp_path_factory.mktemp("tls-broker")) as broker:
        yield broker


@pytest.fixture
def tls_pipeline(tls_broker, pki, unique_name, tmp_path, request):
    settings = Settings(broker=tls_broker.bootstrap, app_id=unique_name("tls-app"), topic_prefix=unique_name("tls"),
                        partitions=4, tick_interval_s=0.5, metrics_port=0, kafka_security=pki.client_security())
    pipeline = Pipeline(settings, tmp_path, extra_env=pki.env())
    yield pipeline
    pipeline.stop_workers()
    if getattr(request.node, "rep_call", None) and request.node.rep_call.failed:
        print("---- worker logs ----\n" + pipeline.worker_logs())


def leadsla(pipeline: Pipeline, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], env=pipeline.env(), cwd=pipeline.workdir,
                          capture_output=True, text=True, timeout=180)


def opened_ids(cluster: KafkaCluster, topic: str) -> set[str]:
    records = read_topic(cluster, topic)
    return {o.outcome_id for o in (Outcome.model_validate_json(r.value) for r in records) if o.kind == "opened"}


def test_worker_simulate_and_evaluate_work_over_mutual_tls(tls_pipeline):
    settings = tls_pipeline.settings
    tls_pipeline.start_worker()  # creates its topics over TLS, then Faust joins over TLS
    simulated = leadsla(tls_pipeline, "simulate", "--count", str(SIMULATED_RECORDS), "--speed", "3600")
    assert simulated.returncode == 0, simulated.stderr
    assert f"sent {SIMULATED_RECORDS} records" in simulated.stderr

    live = wait_for(lambda: opened_ids(settings.kafka, settings.topics.outcomes), bool, timeout_s=90)
    assert live, f"no outcome arrived over TLS\n{tls_pipeline.worker_logs()}"

    # As of now, the audit decides all the worker could have decided (its clock is the wall clock).
    now = datetime.now(timezone.utc).isoformat()
    audit = leadsla(tls_pipeline, "evaluate", "--broker", settings.bootstrap, "--as-of", now)
    assert audit.returncode == 0, audit.stderr
    audited = {json.loads(line)["outcome_id"] for line in audit.stdout.splitlines()}
    assert live <= audited
    summary = json.loads(audit.stderr.rsplit("evaluated ", 1)[1])
    # Simulated time starts this Monday morning: on a Monday some events may lie after now.
    assert summary["events"] + summary["rejected"] + summary["after_as_of"] == SIMULATED_RECORDS


def test_a_broker_certificate_from_another_ca_is_refused_naming_the_ca_setting(tls_broker, pki):
    with pytest.raises(KafkaSecurityError, match="LEADSLA_KAFKA_SSL_CA must name the CA") as refused:
        ensure_topics(tls_broker.cluster(ssl_ca=pki.stranger_ca), [TopicSpec("never", 1)], timeout_s=3)
    assert "self-signed certificate in certificate chain" in str(refused.value)


def test_a_certificate_for_another_host_name_is_refused_unless_the_check_is_off(tls_broker, pki, unique_name):
    by_address = tls_broker.bootstrap.replace("localhost", "127.0.0.1")  # the certificate names localhost only
    with pytest.raises(KafkaSecurityError, match="LEADSLA_KAFKA_SSL_CHECK_HOSTNAME=0"):
        ensure_topics(KafkaCluster(by_address, pki.client_security()), [TopicSpec("never", 1)], timeout_s=3)
    topic = unique_name("by-address")
    ensure_topics(KafkaCluster(by_address, pki.client_security(ssl_check_hostname=False)), [TopicSpec(topic, 1)])
    assert read_topic(tls_broker.cluster(), topic) == []  # created, through the TLS listener


def test_a_missing_client_certificate_is_named_when_the_broker_wants_one(tls_broker):
    with pytest.raises(KafkaSecurityError, match="set LEADSLA_KAFKA_SSL_CERT and LEADSLA_KAFKA_SSL_KEY"):
        ensure_topics(tls_broker.cluster(ssl_cert=None, ssl_key=None), [TopicSpec("never", 1)], timeout_s=3)



def broker_watch_look(settings: Settings, topics: list[str]):
    """The worker's broker probe, with the credentials the worker's own Faust app gets."""
    async def ask():
        auth = probe_auth(faust.App("probe", **_faust_settings(settings)))
        probe = MetadataProbe(settings.bootstrap, auth, timeout_s=3)
        try:
            return await probe.look(topics)
        finally:
            await probe.close()
    return asyncio.run(ask())


def test_the_broker_watch_reaches_the_broker_over_mutual_tls_as_the_worker_does(tls_pipeline, tls_broker, pki):
    settings, outcomes = tls_pipeline.settings, tls_pipeline.settings.topics.outcomes
    ensure_topics(tls_broker.cluster(), [TopicSpec(outcomes, 1)])
    view = broker_watch_look(settings, [outcomes])
    assert view.topics == {outcomes} and view.cluster_id.startswith("tls-")
    without_certificate = settings.but(kafka_security=pki.client_security(ssl_cert=None, ssl_key=None))
    with pytest.raises(BrokerUnreachable):  # the broker wants one: the probe presents the worker's
        broker_watch_look(without_certificate, [outcomes])
