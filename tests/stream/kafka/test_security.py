"""TLS and SASL settings become the same connection for Faust (aiokafka) and kafka-python.

What aiokafka receives is read through Faust's own translation
(``credentials_to_aiokafka_auth``), so a test fails if Faust would connect differently from
what the settings say.

SASL is not tested against a broker: the embedded broker (Tansu 0.6.0) cannot authenticate a
client. With ``--authentication`` it offers no PLAIN mechanism (``NoSharedMechanism``), and
SCRAM needs users in its storage, which only ``tansu user create`` adds, over a connection that
must itself be authenticated (``NotAuthenticated``), while the storage is memory only and
starts empty. Without ``--authentication`` it answers every SaslHandshake with error 33
(unsupported mechanism), users created or not.
"""

from __future__ import annotations

import inspect
import ssl
from pathlib import Path

import faust
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer

from streams.kafka.cluster import KafkaCluster
from streams.kafka.security import KafkaSecurity, KafkaSecurityError, faust_settings, kafka_python_kwargs
from streams.runtime.app import _faust_settings
from streams.runtime.settings import Settings, settings_from_env
from tests.integration.tls_broker import make_pki

SCRAM = dict(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512", sasl_username="leadsla",
             sasl_password="s3cret")


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def aiokafka_auth(security: KafkaSecurity) -> dict:
    """What Faust hands every aiokafka client for these settings."""
    return credentials_to_aiokafka_auth(faust_settings(security).get("broker_credentials"))


def test_plaintext_is_what_both_libraries_get_by_default():
    assert kafka_python_kwargs(KafkaSecurity()) == {"security_protocol": "PLAINTEXT"}
    assert faust_settings(KafkaSecurity()) == {}
    assert aiokafka_auth(KafkaSecurity()) == {"security_protocol": "PLAINTEXT"}


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_over_tls_gives_both_libraries_the_same_mechanism_user_and_password(mechanism):
    security = KafkaSecurity(**SCRAM | {"sasl_mechanism": mechanism})
    python = kafka_python_kwargs(security)
    aio = aiokafka_auth(security)
    for kwargs in (python, aio):
        assert (kwargs["security_protocol"], kwargs["sasl_mechanism"]) == ("SASL_SSL", mechanism)
        assert (kwargs["sasl_plain_username"], kwargs["sasl_plain_password"]) == ("leadsla", "s3cret")
        assert kwargs["ssl_context"].check_hostname and kwargs["ssl_context"].verify_mode == ssl.CERT_REQUIRED


def test_sasl_without_tls_sends_no_tls_context_and_defaults_to_plain():
    security = KafkaSecurity(security_protocol="SASL_PLAINTEXT", sasl_username="u", sasl_password="p")
    assert kafka_python_kwargs(security) == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN",
                                             "sasl_plain_username": "u", "sasl_plain_password": "p"}
    assert aiokafka_auth(security) == {"security_protocol": "SASL_PLAINTEXT", "sasl_mechanism": "PLAIN",
                                       "sasl_plain_username": "u", "sasl_plain_password": "p", "ssl_context": None}


def test_tls_trusts_the_configured_ca_presents_the_client_certificate_and_checks_host_names(pki):
    security = KafkaSecurity(security_protocol="SSL", ssl_ca=pki.ca, ssl_cert=pki.client_cert, ssl_key=pki.client_key)
    for context in (kafka_python_kwargs(security)["ssl_context"], aiokafka_auth(security)["ssl_context"]):
        assert [dict(cert["subject"][0])["commonName"] for cert in context.get_ca_certs()] == ["leadsla test ca"]
        assert context.check_hostname and context.verify_mode == ssl.CERT_REQUIRED
    assert aiokafka_auth(security)["security_protocol"] == "SSL"


def test_host_name_check_off_still_verifies_the_certificate_chain(pki):
    security = KafkaSecurity(security_protocol="SSL", ssl_ca=pki.ca, ssl_check_hostname=False)
    for context in (kafka_python_kwargs(security)["ssl_context"], aiokafka_auth(security)["ssl_context"]):
        assert (context.check_hostname, context.verify_mode) == (False, ssl.CERT_REQUIRED)


def test_the_worker_app_gets_the_credentials():
    settings = Settings(broker="kafka.example:9093", kafka_security=KafkaSecurity(**SCRAM))
    credentials = faust.App("t", **_faust_settings(settings)).conf.broker_credentials
    assert isinstance(credentials, faust.SASLCredentials) and credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.protocol.value == "SASL_SSL"


def test_a_cluster_gives_kafka_python_its_servers_and_security():
    cluster = KafkaCluster("a:9093, b:9093", KafkaSecurity(security_protocol="SASL_PLAINTEXT",
                                                           sasl_username="u", sasl_password="p"))
    kwargs = cluster.client_kwargs()
    assert kwargs["bootstrap_servers"] == ["a:9093", "b:9093"] and kwargs["sasl_plain_username"] == "u"
    assert str(cluster) == "a:9093, b:9093"


def test_secrets_stay_out_of_repr_and_so_out_of_logged_settings():
    security = KafkaSecurity(**SCRAM)
    assert "s3cret" not in repr(security)
    assert "s3cret" not in repr(Settings(kafka_security=security))


# -- errors name the setting ------------------------------------------------------------------------

BAD_SETTINGS = [
    ({"SECURITY_PROTOCOL": "TLS"}, "LEADSLA_KAFKA_SECURITY_PROTOCOL must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, "
                                   "SASL_SSL, not 'TLS'"),
    ({"SECURITY_PROTOCOL": "SASL_SSL", "SASL_MECHANISM": "GSSAPI", "SASL_USERNAME": "u", "SASL_PASSWORD": "p"},
     "LEADSLA_KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, not 'GSSAPI'"),
    ({"SECURITY_PROTOCOL": "SASL_SSL", "SASL_USERNAME": "u"}, "LEADSLA_KAFKA_SASL_PASSWORD must be set too"),
    ({"SASL_USERNAME": "u", "SASL_PASSWORD": "p"},
     "LEADSLA_KAFKA_SASL_USERNAME, LEADSLA_KAFKA_SASL_PASSWORD set, but LEADSLA_KAFKA_SECURITY_PROTOCOL is "
     "PLAINTEXT: set it to SASL_SSL"),
    ({"SECURITY_PROTOCOL": "SASL_PLAINTEXT", "SASL_USERNAME": "u", "SASL_PASSWORD": "p", "SSL_CA": "/ca.pem"},
     "LEADSLA_KAFKA_SSL_CA set, but LEADSLA_KAFKA_SECURITY_PROTOCOL is SASL_PLAINTEXT: set it to SSL (or SASL_SSL)"),
    ({"SECURITY_PROTOCOL": "SSL", "SSL_KEY": "/client.key"}, "LEADSLA_KAFKA_SSL_KEY is set without "
                                                             "LEADSLA_KAFKA_SSL_CERT"),
    ({"SECURITY_PROTOCOL": "SSL", "SSL_CA": "/nowhere/ca.pem"}, "LEADSLA_KAFKA_SSL_CA: no such file '/nowhere/ca.pem'"),
    ({"SECURITY_PROTOCOL": "SSL", "SSL_CHECK_HOSTNAME": "maybe"}, "LEADSLA_KAFKA_SSL_CHECK_HOSTNAME must be one of"),
]


@pytest.mark.parametrize("env, message", BAD_SETTINGS, ids=[m.split(" ")[0] for _, m in BAD_SETTINGS])
def test_a_combination_that_cannot_work_fails_when_the_settings_are_read_naming_the_setting(env, message):
    with pytest.raises(ValueError) as refused:
        settings_from_env({f"LEADSLA_KAFKA_{name}": value for name, value in env.items()})
    assert message in str(refused.value)


def test_a_ca_file_that_holds_no_certificate_is_named(tmp_path):
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("hello\n")
    with pytest.raises(KafkaSecurityError, match=f"LEADSLA_KAFKA_SSL_CA: {not_pem} holds no usable CA certificate"):
        settings_from_env({"LEADSLA_KAFKA_SECURITY_PROTOCOL": "SSL", "LEADSLA_KAFKA_SSL_CA": str(not_pem)})


def test_a_key_that_does_not_match_the_certificate_is_named(pki):
    env = {"LEADSLA_KAFKA_SECURITY_PROTOCOL": "ssl", "LEADSLA_KAFKA_SSL_CERT": str(pki.client_cert),
           "LEADSLA_KAFKA_SSL_KEY": str(pki.server_key)}
    with pytest.raises(KafkaSecurityError, match="LEADSLA_KAFKA_SSL_CERT / LEADSLA_KAFKA_SSL_KEY: cannot use"):
        settings_from_env(env)


def test_settings_read_from_the_environment_in_any_case(pki):
    security = settings_from_env({
        "LEADSLA_KAFKA_SECURITY_PROTOCOL": "sasl_ssl", "LEADSLA_KAFKA_SASL_MECHANISM": "scram-sha-256",
        "LEADSLA_KAFKA_SASL_USERNAME": "svc", "LEADSLA_KAFKA_SASL_PASSWORD": "pw",
        "LEADSLA_KAFKA_SSL_CA": str(pki.ca), "LEADSLA_KAFKA_SSL_CHECK_HOSTNAME": "off"}).kafka_security
    assert security == KafkaSecurity(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-256",
                                     sasl_username="svc", sasl_password="pw", ssl_ca=Path(pki.ca),
                                     ssl_check_hostname=False)


def test_every_argument_is_one_the_installed_client_libraries_accept():
    """A client library that renamed an option would otherwise fail only against a secured cluster."""
    security = KafkaSecurity(**SCRAM)
    for client in (KafkaProducer, KafkaConsumer, KafkaAdminClient):
        assert set(kafka_python_kwargs(security)) <= set(client.DEFAULT_CONFIG), client.__name__
    for client in (AIOKafkaConsumer, AIOKafkaProducer):
        assert set(aiokafka_auth(security)) <= set(inspect.signature(client).parameters), client.__name__
