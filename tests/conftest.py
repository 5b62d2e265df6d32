"""Shared fixtures: a Kafka-protocol broker for the whole session, unique names.

The broker is chosen in this order:

1. ``LEADSLA_TEST_BOOTSTRAP`` (host:port of an external Kafka), if set;
2. a testcontainers ``KafkaContainer``, if a Docker engine answers;
3. the embedded Tansu broker (streams.kafka.broker.EmbeddedBroker), which needs
   neither Docker nor a Kafka install.

The kind in use is printed to the terminal when the fixture starts.
Tests that need a broker are marked ``@pytest.mark.broker``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import uuid
from collections.abc import Callable, Iterator

import pytest

BOOTSTRAP_ENV = "LEADSLA_TEST_BOOTSTRAP"

# Distinguishes this run's names from a previous run's on a long-lived
# external broker, where old topics (and their records) persist.
_RUN_TOKEN = uuid.uuid4().hex[:6]


def pytest_configure(config: pytest.Config) -> None:
    # kafka-python 3 loads its protocol schemas with the deprecated
    # importlib.resources.read_text/open_text: ~200 warnings per run, not ours.
    config.addinivalue_line(
        "filterwarnings", r"ignore:(read|open)_text is deprecated:DeprecationWarning"
    )


def docker_engine_answers(timeout_s: float = 2.0) -> bool:
    """True if a Docker engine replies to a ping within ``timeout_s``."""
    try:
        import docker

        client = docker.from_env(timeout=timeout_s)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no SDK, no socket, engine down, permission denied...
        return False


def kafka_container_class() -> type:
    """testcontainers' KafkaContainer (newer releases moved it to .community)."""
    try:
        from testcontainers.community.kafka import KafkaContainer
    except ImportError:
        from testcontainers.kafka import KafkaContainer
    return KafkaContainer


@pytest.fixture(scope="session")
def docker_available() -> bool:
    return docker_engine_answers()


@pytest.fixture(scope="session")
def kafka_bootstrap(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    docker_available: bool,
) -> Iterator[str]:
    """``host:port`` of a broker shared by the session's tests."""
    external = os.environ.get(BOOTSTRAP_ENV, "").strip()
    if external:
        _announce(request, f"external Kafka ({BOOTSTRAP_ENV}) at {external}")
        yield external
    elif docker_available:
        with kafka_container_class()() as container:
            bootstrap = container.get_bootstrap_server()
            _announce(request, f"testcontainers KafkaContainer at {bootstrap}")
            yield bootstrap
    else:
        from streams.kafka.broker import EmbeddedBroker

        with EmbeddedBroker(log_dir=tmp_path_factory.mktemp("tansu")) as broker:
            _announce(request, f"embedded Tansu at {broker.bootstrap} (log: {broker.log_path})")
            yield broker.bootstrap


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """``unique_name(prefix)`` -> a topic/group/app name unique to this call.

    Made of the prefix, a per-run token, a hash of the test's node id and a
    counter; only characters legal in Kafka topic names.
    """
    node_hash = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]
    counter = itertools.count(1)

    def make(prefix: str) -> str:
        return f"{prefix}-{_RUN_TOKEN}-{node_hash}-{next(counter)}"

    return make


def _announce(request: pytest.FixtureRequest, message: str) -> None:
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    capture = plugins.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    # Output capture is active during fixture setup; step around it.
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"kafka_bootstrap: {message}")


@pytest.fixture
def pipeline(kafka_bootstrap: str, unique_name: Callable[[str], str], tmp_path, request):
    """A pipeline on this test's own topics and app id; workers it started are
    stopped afterwards, and their logs are shown if the test failed."""
    from streams.runtime.settings import Settings
    from tests.harness import Pipeline

    settings = Settings(broker=kafka_bootstrap, app_id=unique_name("app"), topic_prefix=unique_name("t"),
                        partitions=4, tick_interval_s=0.5, metrics_port=0)
    built = Pipeline(settings, tmp_path)
    built.create_topics()
    yield built
    built.stop_workers()
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print("---- worker logs ----\n" + built.worker_logs())


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
