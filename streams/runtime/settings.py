"""Runtime settings, read from the environment in exactly one place.

Every other module receives a ``Settings`` value; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping

from streams.kafka.cluster import KafkaCluster
from streams.kafka.compression import compression_from_setting
from streams.kafka.security import PLAINTEXT, SETTING_PREFIX, KafkaSecurity, field_names, ssl_context

ENV_PREFIX = "LEADSLA_"
# Off/on words accepted by boolean settings.
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class TopicNames:
    conversions: str
    handoffs: str
    attempts: str
    deals: str  # closed deals: read by the closed-loop agent (streams.runtime.marketing), not the tracker
    ticks: str
    outcomes: str
    dead_letters: str

    @classmethod
    def with_prefix(cls, prefix: str, app_id: str = "leadsla", outcomes: str | None = None) -> "TopicNames":
        """The ticks belong to one app (a replay under a fresh app id claims time over
        the inputs itself); outcomes may be redirected, e.g. for an audit run."""
        return cls(
            conversions=f"{prefix}.lead-conversions",
            handoffs=f"{prefix}.handoffs",
            attempts=f"{prefix}.contact-attempts",
            deals=f"{prefix}.deals",
            ticks=f"{prefix}.ticks.{app_id}",
            outcomes=outcomes or f"{prefix}.outcomes",
            dead_letters=f"{prefix}.dead-letters",
        )

    @property
    def inputs(self) -> tuple[str, str, str]:
        return (self.conversions, self.handoffs, self.attempts)


@dataclass(frozen=True)
class Settings:
    broker: str | None = None  # None: start the embedded broker
    app_id: str = "leadsla"
    topic_prefix: str = "leadsla"
    outcomes_topic: str | None = None  # None: <prefix>.outcomes
    partitions: int = 12  # the most workers that can share the load; see README "Scaling out"
    policy_path: Path | None = None  # None: the example policy shipped in models/
    tick_interval_s: float = 1.0
    # The longest a consumer fetch waits for records (streams.kafka.fetch_wait): a
    # bound on each hop through a topic on a broker that holds fetches that long.
    fetch_wait_s: float = 0.1
    metrics_port: int = 9464  # 0: no metrics endpoint
    # Loopback by default: metrics name teams and segments, so exposing them is a choice
    # (0.0.0.0 in a container, for Prometheus to scrape worker:9464).
    metrics_host: str = "127.0.0.1"
    data_dir: Path = field(default_factory=lambda: Path(".leadsla"))
    log_level: str = "warn"
    alertmanagers: tuple[str, ...] = ()  # Alertmanager base URLs; none: alerts go to the console
    # The broker is the embedded one (Tansu), whose ListOffsets answers the last batch's
    # base offset + 1: Faust would stop recovering a table short of its changelog's end.
    embedded_broker: bool = False
    kafka_security: KafkaSecurity = PLAINTEXT  # TLS and SASL for every Kafka client
    compression: str | None = None  # codec of the records leadsla produces (streams.kafka.compression)
    # How long a send may take (retries included) before the worker gives up and stops
    # (streams.runtime.delivery); also the producer's own request timeout.
    delivery_timeout_s: float = 60.0

    @property
    def topics(self) -> TopicNames:
        return TopicNames.with_prefix(self.topic_prefix, self.app_id, self.outcomes_topic)

    @property
    def broker_url(self) -> str:
        if self.broker is None:
            raise RuntimeError("no broker configured: start the embedded broker first")
        return self.broker if "://" in self.broker else f"kafka://{self.broker}"

    @property
    def bootstrap(self) -> str:
        """host:port list for kafka-python, without the kafka:// scheme Faust wants."""
        return self.broker_url.split("://", 1)[1].replace(";", ",")

    @property
    def kafka(self) -> KafkaCluster:
        """The cluster as every kafka-python client reaches it: bootstrap servers and security."""
        return KafkaCluster(self.bootstrap, self.kafka_security, self.compression)

    def but(self, **changes: object) -> "Settings":
        return replace(self, **changes)


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from LEADSLA_* variables; unknown values fail loudly."""
    env = os.environ if env is None else env
    get = lambda name: env.get(ENV_PREFIX + name) or None  # noqa: E731 - tiny local reader
    defaults = Settings()
    return Settings(
        broker=get("BROKER"),
        app_id=get("APP_ID") or defaults.app_id,
        topic_prefix=get("TOPIC_PREFIX") or defaults.topic_prefix,
        outcomes_topic=get("OUTCOMES_TOPIC"),
        partitions=_int(get("PARTITIONS"), defaults.partitions, "LEADSLA_PARTITIONS"),
        policy_path=Path(p) if (p := get("POLICY")) else None,
        tick_interval_s=_float(get("TICK_INTERVAL"), defaults.tick_interval_s, "LEADSLA_TICK_INTERVAL"),
        fetch_wait_s=_float(get("FETCH_WAIT"), defaults.fetch_wait_s, "LEADSLA_FETCH_WAIT"),
        metrics_port=_int(get("METRICS_PORT"), defaults.metrics_port, "LEADSLA_METRICS_PORT"),
        metrics_host=get("METRICS_HOST") or defaults.metrics_host,
        data_dir=Path(get("DATA_DIR") or defaults.data_dir),
        log_level=get("LOG_LEVEL") or defaults.log_level,
        alertmanagers=tuple(url.strip() for url in (get("ALERTMANAGERS") or "").split(",") if url.strip()),
        embedded_broker=(get("EMBEDDED_BROKER") or "0").lower() in ("1", "true", "yes"),
        kafka_security=kafka_security_from_env(env),
        compression=compression_from_setting(get("COMPRESSION")),
        delivery_timeout_s=_float(get("DELIVERY_TIMEOUT"), defaults.delivery_timeout_s, "LEADSLA_DELIVERY_TIMEOUT"),
    )


def kafka_security_from_env(env: Mapping[str, str]) -> KafkaSecurity:
    """LEADSLA_KAFKA_<FIELD> for each field of KafkaSecurity; unset or empty keeps the default.
    Raises KafkaSecurityError (a ValueError) naming the setting for what cannot work."""
    raw = {name: value for name in field_names() if (value := env.get(SETTING_PREFIX + name.upper()))}
    if "security_protocol" in raw:
        raw["security_protocol"] = raw["security_protocol"].strip().upper()
    if "sasl_mechanism" in raw:
        raw["sasl_mechanism"] = raw["sasl_mechanism"].strip().upper()
    for name in ("ssl_ca", "ssl_cert", "ssl_key"):
        if name in raw:
            raw[name] = Path(raw[name]).expanduser()
    if "ssl_check_hostname" in raw:
        raw["ssl_check_hostname"] = _flag(raw["ssl_check_hostname"], SETTING_PREFIX + "SSL_CHECK_HOSTNAME")
    security = KafkaSecurity(**raw)
    if security.uses_tls:
        ssl_context(security)  # reads the files now: a missing or bad one fails before anything starts
    return security


def _flag(raw: str, name: str) -> bool:
    word = raw.strip().lower()
    if word not in _TRUE + _FALSE:
        raise ValueError(f"{name} must be one of {', '.join(_TRUE + _FALSE)}, not {raw!r}")
    return word in _TRUE


def _int(raw: str | None, default: int, name: str) -> int:
    return _number(raw, default, name, int, "a whole number")


def _float(raw: str | None, default: float, name: str) -> float:
    return _number(raw, default, name, float, "a number")


def _number(raw: str | None, default, name: str, kind: type, noun: str):
    try:
        return default if raw is None else kind(raw)
    except ValueError:
        raise ValueError(f"{name} must be {noun}, not {raw!r}") from None
