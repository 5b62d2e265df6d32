"""Process wiring for the CLI: broker, topics, worker, simulator, view, metrics.

Faust's worker owns the main thread (it installs signal handlers and runs the
event loop until SIGINT/SIGTERM); the simulator and the view run in threads.
"""

from __future__ import annotations

import os
import random
import signal
import sys
import threading
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone

from models.policy_history import PolicyHistory
from streams.commands.failures import EXIT_UNAVAILABLE
from streams.commands.policy_versions import load_history
from streams.commands.preflight import require_free_port, require_reachable_broker
from streams.kafka.admin import ensure_topics
from streams.kafka.broker import EmbeddedBroker
from streams.kafka.security import PLAINTEXT
from streams.metrics.endpoint import serve_metrics
from streams.metrics.pipeline import PipelineMetrics
from streams.runtime.app import Extension, create_app
from streams.runtime.broker_watch import install_broker_watch
from streams.runtime.clock import Clock, SystemClock, demo_clock
from streams.runtime.delivery import DeliveryGuard
from streams.runtime.gauge_timer import metrics_extension
from streams.runtime.marketing import marketing_extension
from streams.runtime.settings import Settings
from streams.runtime.topology import topic_specs
from streams.runtime.worker import make_worker

LOSS_EXIT_GRACE_S = 10.0  # how long a worker whose broker lost its topics may take to stop
_LEAVING = threading.Lock()


@dataclass(frozen=True)
class RunOptions:
    simulate: bool = False
    speed: float = 60.0
    leads_per_hour: float = 40.0
    bad_rate: float = 0.01
    seconds: float | None = None
    view: bool = True


def run_pipeline(settings: Settings, options: RunOptions) -> int:
    policy = _policy(settings)  # fail on a bad policy before starting anything
    _preflight(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # the broker's log goes here
    with ExitStack() as cleanup:
        if settings.broker is None:
            broker = cleanup.enter_context(EmbeddedBroker(log_dir=settings.data_dir))
            # The embedded broker speaks plaintext only: LEADSLA_KAFKA_* apply to --broker.
            settings = settings.but(broker=broker.bootstrap, embedded_broker=True, kafka_security=PLAINTEXT)
            _say(f"embedded broker on {broker.bootstrap} (memory only; log {broker.log_path})")
        ensure_topics(settings.kafka, topic_specs(settings))
        clock = demo_clock(options.speed) if options.simulate else SystemClock()
        stop = threading.Event()
        cleanup.callback(stop.set)
        if options.simulate:
            _start_simulator(settings, clock, options, stop)
        if options.view:
            _start_view(settings, clock, stop, cleanup)
        if options.seconds:
            _stop_after(options.seconds)
        return _run_worker(settings, policy, clock, quiet=options.view)


def run_worker_only(settings: Settings) -> int:
    policy = _policy(settings)
    _preflight(settings)
    ensure_topics(settings.kafka, topic_specs(settings))
    return _run_worker(settings, policy, SystemClock(), quiet=False)


def _policy(settings: Settings) -> PolicyHistory:
    """Every version: the tracker judges each lead cycle by the version in force at its handoff."""
    return load_history(settings.policy_path)


def simulate_only(settings: Settings, speed: float, leads_per_hour: float, count: int | None) -> int:
    from streams.simulator.feed import run_simulator
    from streams.simulator.traffic import TrafficModel

    require_reachable_broker(settings.bootstrap)
    ensure_topics(settings.kafka, topic_specs(settings))
    clock = demo_clock(speed) if speed != 1.0 else SystemClock()
    sent = run_simulator(settings.kafka, settings.topics, clock,
                         TrafficModel(random.Random(), leads_per_hour, deals=True), stop=threading.Event(),
                         max_events=count)
    _say(f"sent {sent} records")
    return 0


def _run_worker(settings: Settings, history: PolicyHistory, clock: Clock, *, quiet: bool) -> int:
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    policy = history.in_force(datetime.now(timezone.utc)).policy  # alerts, metrics, marketing: the version now
    metrics = PipelineMetrics(policy=policy)  # the policy bounds labels and sets histogram buckets
    if settings.metrics_port:
        _say(f"metrics on {serve_metrics(metrics.registry, settings.metrics_host, settings.metrics_port)}")
    app = create_app(settings, policy, clock=clock, metrics=metrics, extensions=_extensions(settings),
                     policies=history.policies)
    logfile = str(settings.data_dir / "worker.log") if quiet else None
    worker, delivery = make_worker(app, loglevel=settings.log_level, logfile=logfile, quiet=quiet,
                                   delivery_timeout_s=settings.delivery_timeout_s)
    watch = install_broker_watch(app, settings, metrics, lambda loss: _stop_for_loss(delivery, loss))
    code = 0
    try:
        worker.execute_from_commandline()
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    if watch.lost is not None:
        _leave(f"stopped: {watch.lost}")
    if delivery.failure is not None:
        _leave(f"stopped: {delivery.failure} (broker {settings.bootstrap}; LEADSLA_DELIVERY_TIMEOUT "
               f"is {settings.delivery_timeout_s:g} s)")
    return code


def _stop_for_loss(delivery: DeliveryGuard, loss: str) -> None:
    """The broker lost the worker's topics: commit nothing more, stop, and leave within a grace even
    if the stop hangs (Faust retries its commits on topics that are gone)."""
    delivery.refuse(loss)
    os.kill(os.getpid(), signal.SIGTERM)
    timer = threading.Timer(LOSS_EXIT_GRACE_S, _leave, args=(f"stopped: {loss}",))
    timer.daemon = True
    timer.start()


def _leave(text: str) -> None:
    """Say why the worker stopped and exit with status 3 at once: Faust's consumer thread may still
    wait on the broker's socket, and a normal exit would wait for it; what could be committed was."""
    with _LEAVING:  # once, whether the worker's stop or the grace timer gets here first
        _say(text)
        sys.stdout.flush()
        os._exit(EXIT_UNAVAILABLE)


def _preflight(settings: Settings) -> None:
    """What can be checked in seconds is checked before the broker, simulator or worker start."""
    require_free_port(settings.metrics_port, settings.metrics_host)
    if settings.broker is not None:
        require_reachable_broker(settings.bootstrap)


def _extensions(settings: Settings) -> list[Extension]:
    """What runs beside the core in a worker."""
    from streams.runtime.alerting import alerting  # console alerts print above the view: rich redirects stdout

    return [metrics_extension(), marketing_extension(), alerting(settings)]


def _start_simulator(settings: Settings, clock: Clock, options: RunOptions, stop: threading.Event) -> None:
    from streams.simulator.feed import run_simulator
    from streams.simulator.traffic import DEFAULT_SEED, TrafficModel

    model = TrafficModel(random.Random(DEFAULT_SEED), options.leads_per_hour, bad_rate=options.bad_rate, deals=True)
    thread = threading.Thread(
        target=run_simulator, name="simulator", daemon=True,
        args=(settings.kafka, settings.topics, clock, model), kwargs={"stop": stop, "history": True},
    )
    thread.start()
    _say(f"simulating {options.leads_per_hour:g} leads/hour at {options.speed:g}x from {clock.now():%a %Y-%m-%d %H:%M} UTC")


def _start_view(settings: Settings, clock: Clock, stop: threading.Event, cleanup: ExitStack) -> None:
    from streams.console.live_view import LiveView

    view = LiveView(settings.kafka, settings.topics.outcomes, clock, stop)
    view.start()
    cleanup.callback(view.stop)


def _stop_after(seconds: float) -> None:
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.daemon = True
    timer.start()


def _say(text: str) -> None:
    print(f"leadsla: {text}", file=sys.stderr, flush=True)
