"""The worker's view of its broker: a probe every second, its state in the log and the metrics,
and a stop when the broker lost what the worker stands on.

A Faust task asks the broker which of the worker's topics it holds (streams.kafka.metadata_probe:
its own connection, a Metadata request that creates nothing, 5 s to answer). Each answer or
failure goes to ``BrokerState`` (streams.runtime.broker_state), which says what to log:
"broker … unreachable since …, retrying; outcomes are held until it answers", then "broker …
reachable again after N s"; the gauges ``names.BROKER_UP`` and ``names.BROKER_UNREACHABLE``
follow it. Why a probe of its own rather than the worker's failed sends or client state: an
idle worker sends nothing, and Faust's clients reconnect and retry behind its back; a probe
answers the question the same way whatever the worker is doing.

The topics watched are the worker's own: inputs, deals, ticks, outcomes, dead letters, and the
changelog of every table. When the broker answers without one it held, or as another cluster,
``on_lost`` is called once with the message (the runner then stops the worker: exit status 3).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

import faust
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from streams.kafka.metadata_probe import BrokerUnreachable, MetadataProbe
from streams.metrics.pipeline import PipelineMetrics
from streams.runtime.broker_state import EMBEDDED_ADVICE, KAFKA_ADVICE, BrokerState
from streams.runtime.settings import Settings
from streams.runtime.topology import topic_specs

PROBE_INTERVAL_S = 1.0
PROBE_TIMEOUT_S = 5.0
log = logging.getLogger("leadsla.broker")


class BrokerWatch:
    def __init__(self, state: BrokerState, probe: MetadataProbe, topics: Callable[[], list[str]],
                 metrics: PipelineMetrics, on_lost: Callable[[str], None],
                 clock: Callable[[], float] = time.time) -> None:
        self.state, self.probe, self.topics = state, probe, topics
        self.metrics, self.on_lost, self.clock = metrics, on_lost, clock

    @property
    def lost(self) -> str | None:
        return self.state.lost

    async def run(self, stopping: Callable[[], bool], interval_s: float = PROBE_INTERVAL_S) -> None:
        """Probe until the worker stops or the broker lost its topics."""
        try:
            while not stopping() and self.lost is None:
                await self.check_once()
                await asyncio.sleep(interval_s)
        finally:
            await self.probe.close()

    async def check_once(self) -> None:
        watched = self.topics()
        try:
            view = await self.probe.look(watched)
        except BrokerUnreachable as error:
            if line := self.state.failed(str(error)):
                log.warning(line)
        else:
            if line := self.state.answered(self.clock()):
                log.warning(line)  # as visible as the line it closes
            if loss := self.state.check(view, watched):
                log.error("stopping: %s", loss)
                self.on_lost(loss)
        self.metrics.observe_broker(self.state.reachable, self.state.last_answer_at)


def install_broker_watch(app: faust.App, settings: Settings, metrics: PipelineMetrics,
                         on_lost: Callable[[str], None]) -> BrokerWatch:
    """Starts with the app; ``on_lost(message)`` is called in the worker's event loop."""
    state = BrokerState(settings.bootstrap, time.time(),
                        EMBEDDED_ADVICE if settings.embedded_broker else KAFKA_ADVICE)
    probe = MetadataProbe(settings.bootstrap, probe_auth(app), timeout_s=PROBE_TIMEOUT_S)
    watch = BrokerWatch(state, probe, lambda: watched_topics(app, settings), metrics, on_lost)

    @app.task
    async def watch_broker() -> None:
        await watch.run(lambda: app.should_stop)

    return watch


def probe_auth(app: faust.App) -> dict:
    """The security arguments Faust gives its own aiokafka clients (TLS, SASL), for the probe's."""
    return dict(credentials_to_aiokafka_auth(app.conf.broker_credentials, app.conf.ssl_context))


def watched_topics(app: faust.App, settings: Settings) -> list[str]:
    """The worker's topics: those it creates (inputs first), then its tables' changelogs."""
    changelogs = sorted(table.changelog_topic.get_topic_name() for table in app.tables.values())
    return [spec.name for spec in topic_specs(settings)] + changelogs
