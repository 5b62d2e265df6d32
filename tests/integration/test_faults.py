"""Nothing lost: faults injected into a live stream, and the outcome set still exactly
`leadsla evaluate`'s over the same input topics (0 missing, 0 extra, 0 outcome ids with
two contents; identical re-sends after a crash are allowed).

Real worker processes on the embedded broker; each stream carries poison records among
its valid events, which must come out as dead letters, one per record."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from streams.kafka.admin import produce
from streams.kafka.broker import EmbeddedBroker
from streams.runtime.settings import Settings
from tests.harness import Pipeline, wait_for
from tests.integration.live_stream import FAULT_POLICY, LiveStream, lead_script
from tests.integration.outcome_check import (compare_when_settled, dead_letter_sources, live_outcomes, now,
                                             records_behind)

pytestmark = pytest.mark.broker

LEADS, SPAN_S = 40, 13.3  # a lead every ~0.33 s; about 135 events and 10 poison records


def use_fault_policy(pipeline: Pipeline) -> Pipeline:
    path = pipeline.workdir / "fault-policy.yaml"
    path.write_text(FAULT_POLICY)
    pipeline.settings = pipeline.settings.but(policy_path=path)
    # Tables recover from their changelogs after each fault; on the embedded broker they
    # recover all of it only with one record per batch (README, Known limits).
    pipeline.extra_env["LEADSLA_EMBEDDED_BROKER"] = "1"
    return pipeline


@pytest.fixture
def faults(pipeline) -> Pipeline:
    return use_fault_policy(pipeline)


def stream(pipeline: Pipeline, seed: int) -> LiveStream:
    script = lead_script(seed, LEADS, SPAN_S, poison_every=4)
    return LiveStream(pipeline.settings.bootstrap, pipeline.settings.topics, script).start()


def assert_exact(pipeline: Pipeline, live: LiveStream, case: str) -> None:
    comparison = compare_when_settled(pipeline, now())
    print(f"{case}: {comparison.summary()}")
    if not comparison.exact():
        pytest.fail(f"{case}: {comparison.summary()}\n{comparison.details()}\n{records_behind(pipeline, comparison)}\n"
                    f"{pipeline.worker_logs()}")
    assert len(comparison.expected) > 100
    letters = wait_for(lambda: dead_letter_sources(pipeline), lambda found: len(found) >= live.poison_sent, 30)
    assert len(letters) == live.poison_sent, f"{len(letters)} dead letters for {live.poison_sent} poison records"


def kill(pipeline: Pipeline, worker, sig=signal.SIGKILL) -> int:
    pipeline.stop_worker(worker, sig)
    return worker.returncode


def outcomes_reach(pipeline: Pipeline, count: int) -> None:
    """Wait until the worker has announced ``count`` outcomes (it is busy with the stream)."""
    wait_for(lambda: len(live_outcomes(pipeline)), lambda found: found >= count, 60)


def test_kill_9_at_three_points_one_during_the_restart(faults):
    worker = faults.start_worker()
    live = stream(faults, seed=1)
    outcomes_reach(faults, 12)  # 1: while it works through the stream
    kill(faults, worker)
    worker = faults.start_worker()
    time.sleep(2.5)  # 2: the restarted worker is still joining the group and recovering its tables
    kill(faults, worker)
    worker = faults.start_worker()
    outcomes_reach(faults, 45)  # 3: once it has caught up and works live again
    kill(faults, worker)
    faults.start_worker()
    live.wait()
    assert_exact(faults, live, "kill -9 x3")


def test_sigterm_stops_the_worker_cleanly_and_a_restart_continues(faults):
    worker = faults.start_worker()
    live = stream(faults, seed=2)
    outcomes_reach(faults, 30)
    assert kill(faults, worker, signal.SIGTERM) == 0, faults.worker_logs()
    faults.start_worker()
    live.wait()
    assert_exact(faults, live, "SIGTERM restart")


def test_one_of_two_workers_killed_the_other_takes_over(faults):
    first = faults.start_worker(own_data_dir=True)
    faults.start_worker(own_data_dir=True)
    live = stream(faults, seed=3)
    outcomes_reach(faults, 30)
    kill(faults, first)
    live.wait()
    assert_exact(faults, live, "one of two killed")


@pytest.fixture
def own_broker(kafka_bootstrap, unique_name, tmp_path):
    """A broker of this test's own, to stall: the session's broker serves other tests."""
    with EmbeddedBroker(log_dir=tmp_path / "broker") as broker:
        settings = Settings(broker=broker.bootstrap, app_id=unique_name("app"), topic_prefix=unique_name("t"),
                            partitions=4, tick_interval_s=0.5, metrics_port=0)
        pipeline = use_fault_policy(Pipeline(settings, tmp_path))
        pipeline.create_topics()
        try:
            yield broker, pipeline
        finally:
            if broker.running:
                broker_process(broker).send_signal(signal.SIGCONT)
            pipeline.stop_workers()


def broker_process(broker: EmbeddedBroker):
    return broker._proc


def test_a_stalled_broker_loses_nothing_and_the_worker_carries_on(own_broker):
    broker, pipeline = own_broker
    worker = pipeline.start_worker()
    live = stream(pipeline, seed=4)
    outcomes_reach(pipeline, 30)
    live.pause()  # the CRM cannot send either while the broker is away
    broker_process(broker).send_signal(signal.SIGSTOP)
    time.sleep(10)
    broker_process(broker).send_signal(signal.SIGCONT)
    live.resume()
    live.wait()
    assert worker.poll() is None, pipeline.worker_logs()
    assert_exact(pipeline, live, "broker stalled 10 s")


def test_a_broker_that_dies_stops_the_worker_with_a_clear_error_and_nothing_committed(own_broker):
    """The embedded broker keeps everything in memory: once stopped, its topics are gone,
    so there is no restart to recover from. What must hold: the worker does not go on
    silently or hang; its sends fail, it stops with exit status 3 and says why."""
    broker, pipeline = own_broker
    pipeline.extra_env["LEADSLA_DELIVERY_TIMEOUT"] = "3"
    worker = pipeline.start_worker()
    live = stream(pipeline, seed=5)
    outcomes_reach(pipeline, 30)
    live.pause()
    # A backlog the worker is still working through when the broker goes: it has
    # something to send and to commit (an idle worker simply waits for the broker).
    produce(pipeline.settings.bootstrap, pipeline.settings.topics.conversions, [(b"x", b"not json")] * 20000)
    wait_for(lambda: len(dead_letter_sources(pipeline)), lambda found: found > live.poison_sent + 50, 60)
    broker.stop()
    try:
        worker.wait(timeout=90)
    finally:
        live.resume()
    log = (pipeline.workdir / "worker-0.log").read_text(errors="replace")
    assert worker.returncode == 3, log[-4000:]
    assert "could not be delivered to the broker" in log and "no offset after them was committed" in log, log[-4000:]
    assert log.count("Unable connect to node") <= 6, "broker errors are not rate-limited in the log"


def test_sigterm_while_the_broker_stalls_stops_the_worker_and_a_restart_loses_nothing(own_broker):
    broker, pipeline = own_broker
    worker = pipeline.start_worker()
    live = stream(pipeline, seed=6)
    outcomes_reach(pipeline, 30)
    live.pause()
    broker_process(broker).send_signal(signal.SIGSTOP)
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=30)  # within seconds, not the producer's own minutes
    except subprocess.TimeoutExpired:
        pytest.fail("SIGTERM not honoured while the broker stalls\n" + pipeline.worker_logs())
    finally:
        broker_process(broker).send_signal(signal.SIGCONT)
    pipeline.workers.remove(worker)
    assert worker.returncode in (0, 3), pipeline.worker_logs()
    pipeline.start_worker()
    live.resume()
    live.wait()
    assert_exact(pipeline, live, "SIGTERM during a stall")
