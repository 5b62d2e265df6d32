"""How leadsla's Kafka clients prove who they are and whom they talk to: TLS and SASL.

One ``KafkaSecurity`` value is set once (``streams.runtime.settings`` builds it from the
``LEADSLA_KAFKA_*`` variables) and translated here, and only here, into what each client
library takes: ``faust_settings`` for the Faust worker (aiokafka underneath),
``kafka_python_kwargs`` for the kafka-python clients (topic admin, the readers, the
simulator). Both build their TLS context with ``ssl_context``, so every client trusts the
same CAs, presents the same certificate and checks host names the same way.

Each field's setting is ``LEADSLA_KAFKA_`` + its name in capitals; every error names it.
Imports no project module and reads no environment.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field, fields
from pathlib import Path

__all__ = [
    "MECHANISMS",
    "PLAINTEXT",
    "PROTOCOLS",
    "SETTING_PREFIX",
    "KafkaSecurity",
    "KafkaSecurityError",
    "faust_settings",
    "field_names",
    "kafka_python_kwargs",
    "setting_name",
    "ssl_context",
]

SETTING_PREFIX = "LEADSLA_KAFKA_"
PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
# What both client libraries implement with a user name and a password. GSSAPI and
# OAUTHBEARER need callbacks or a Kerberos setup that no managed service in the README needs.
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
_SASL_FIELDS = ("sasl_mechanism", "sasl_username", "sasl_password")
_TLS_FIELDS = ("ssl_ca", "ssl_cert", "ssl_key", "ssl_key_password")


class KafkaSecurityError(ValueError):
    """A security setting that cannot work; the message names the setting."""


def setting_name(field_name: str) -> str:
    return SETTING_PREFIX + field_name.upper()


@dataclass(frozen=True)
class KafkaSecurity:
    """Validated on construction: a combination that cannot work raises KafkaSecurityError."""

    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None  # None with SASL: PLAIN, as the client libraries default
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_ca: Path | None = None  # None: the system's trusted CAs (what managed services need)
    ssl_cert: Path | None = None  # client certificate (mutual TLS), with ssl_key
    ssl_key: Path | None = None
    ssl_key_password: str | None = field(default=None, repr=False)
    # Off accepts a certificate issued for another name; its chain is still verified.
    ssl_check_hostname: bool = True

    def __post_init__(self) -> None:
        _check_protocol(self)
        _check_sasl(self)
        _check_tls(self)

    @property
    def uses_tls(self) -> bool:
        return self.security_protocol in ("SSL", "SASL_SSL")

    @property
    def uses_sasl(self) -> bool:
        return self.security_protocol.startswith("SASL_")

    @property
    def mechanism(self) -> str:
        return self.sasl_mechanism or "PLAIN"

    def faust_settings(self) -> dict:
        """``faust_settings(self)``, reachable from a Settings value without an import."""
        return faust_settings(self)


def _set(security: KafkaSecurity, names: tuple[str, ...]) -> list[str]:
    return [setting_name(name) for name in names if getattr(security, name) is not None]


def _check_protocol(security: KafkaSecurity) -> None:
    if security.security_protocol not in PROTOCOLS:
        raise KafkaSecurityError(
            f"{setting_name('security_protocol')} must be one of {', '.join(PROTOCOLS)}, "
            f"not {security.security_protocol!r}")


def _check_sasl(security: KafkaSecurity) -> None:
    protocol = setting_name("security_protocol")
    if not security.uses_sasl:
        if stray := _set(security, _SASL_FIELDS):
            raise KafkaSecurityError(f"{', '.join(stray)} set, but {protocol} is {security.security_protocol}: "
                                     "set it to SASL_SSL (or SASL_PLAINTEXT) to authenticate with SASL")
        return
    if security.mechanism not in MECHANISMS:
        raise KafkaSecurityError(f"{setting_name('sasl_mechanism')} must be one of {', '.join(MECHANISMS)}, "
                                 f"not {security.sasl_mechanism!r}")
    missing = [setting_name(name) for name in _SASL_FIELDS[1:] if not getattr(security, name)]
    if missing:
        raise KafkaSecurityError(f"{protocol} is {security.security_protocol}: {' and '.join(missing)} "
                                 f"must be set too")


def _check_tls(security: KafkaSecurity) -> None:
    if not security.uses_tls:
        if stray := _set(security, _TLS_FIELDS):
            raise KafkaSecurityError(f"{', '.join(stray)} set, but {setting_name('security_protocol')} is "
                                     f"{security.security_protocol}: set it to SSL (or SASL_SSL) to use TLS")
        return
    if (security.ssl_cert is None) != (security.ssl_key is None):
        given, missing = ("ssl_cert", "ssl_key") if security.ssl_key is None else ("ssl_key", "ssl_cert")
        raise KafkaSecurityError(f"{setting_name(given)} is set without {setting_name(missing)}: "
                                 "a client certificate needs both")
    if security.ssl_key_password is not None and security.ssl_key is None:
        raise KafkaSecurityError(f"{setting_name('ssl_key_password')} is set without {setting_name('ssl_key')}")


PLAINTEXT = KafkaSecurity()  # below the checks it runs


# -- translations ----------------------------------------------------------------------------------


def ssl_context(security: KafkaSecurity) -> ssl.SSLContext:
    """The client TLS context: the configured CA (or the system's), the client certificate, the
    host name check. Reads the files now, so a missing or bad file fails before any client starts."""
    ca = _readable(security.ssl_ca, "ssl_ca")
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
    except ssl.SSLError as error:
        raise KafkaSecurityError(f"{setting_name('ssl_ca')}: {ca} holds no usable CA certificate ({error})") from None
    context.check_hostname = security.ssl_check_hostname
    context.verify_mode = ssl.CERT_REQUIRED  # also with the host name check off
    if security.ssl_cert is not None:
        _load_client_certificate(context, security)
    return context


def _readable(path: Path | None, field_name: str) -> str | None:
    if path is None:
        return None
    if not path.is_file():
        raise KafkaSecurityError(f"{setting_name(field_name)}: no such file {str(path)!r}")
    try:
        path.open("rb").close()
    except OSError as error:
        raise KafkaSecurityError(f"{setting_name(field_name)}: cannot read {str(path)!r} ({error.strerror})") from None
    return str(path)


def _load_client_certificate(context: ssl.SSLContext, security: KafkaSecurity) -> None:
    cert, key = _readable(security.ssl_cert, "ssl_cert"), _readable(security.ssl_key, "ssl_key")
    try:
        context.load_cert_chain(cert, key, security.ssl_key_password)
    except ssl.SSLError as error:
        raise KafkaSecurityError(
            f"{setting_name('ssl_cert')} / {setting_name('ssl_key')}: cannot use {cert} with {key} "
            f"(not PEM, a key that does not match the certificate, or a wrong "
            f"{setting_name('ssl_key_password')}: {error.reason or error})") from None


def kafka_python_kwargs(security: KafkaSecurity) -> dict:
    """Keyword arguments for KafkaProducer, KafkaConsumer and KafkaAdminClient."""
    kwargs: dict = {"security_protocol": security.security_protocol}
    if security.uses_tls:
        kwargs["ssl_context"] = ssl_context(security)  # the ssl_* file options are then unused
        kwargs["ssl_check_hostname"] = security.ssl_check_hostname  # kafka-python 2 reads it beside the context
    if security.uses_sasl:
        kwargs.update(sasl_mechanism=security.mechanism, sasl_plain_username=security.sasl_username,
                      sasl_plain_password=security.sasl_password)
    return kwargs


def faust_settings(security: KafkaSecurity) -> dict:
    """Settings for ``faust.App``: ``broker_credentials``, which Faust hands to every aiokafka
    client it creates (consumer, producer, topic admin). Nothing for PLAINTEXT."""
    if security.security_protocol == "PLAINTEXT":
        return {}
    import faust  # here: the kafka-python paths (evaluate, the simulator) never load Faust

    context = ssl_context(security) if security.uses_tls else None
    if not security.uses_sasl:
        return {"broker_credentials": faust.SSLCredentials(context)}
    return {"broker_credentials": faust.SASLCredentials(
        username=security.sasl_username, password=security.sasl_password,
        mechanism=security.mechanism, ssl_context=context)}


def field_names() -> tuple[str, ...]:
    """Every field, in order: the settings reader builds one variable name per field."""
    return tuple(f.name for f in fields(KafkaSecurity))
