"""The child process of a Faust stage: one Faust worker, reporting its progress on stdout.

    python -m tools.bench.worker nothing|sender|naive|pipeline CONFIG_JSON

``nothing`` is an agent that only counts the records Faust hands it (what Faust costs
on its own); ``sender`` also sends one message per record, as the pipeline sends
(``send_soon``): what a message costs; ``naive`` is a plain agent writing a table per event; ``pipeline`` is the
app as ``create_app`` builds it (ticks included), its metrics counting the events.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

BUDGET_S = {"nothing": 60.0, "sender": 60.0, "naive": 60.0, "pipeline": 90.0}  # wall time per Faust stage, startup included
PROFILE_ENV = "LEADSLA_BENCH_PROFILE"
SETTLE_S = 4.0  # longer than Faust's commit interval (2.8 s)
FAST_JOIN = dict(broker_rebalance_timeout=3, broker_session_timeout=6, broker_heartbeat_interval=1)


class _Progress:
    """Events processed, with the monotonic times of the first and the last."""

    def __init__(self) -> None:
        self.n, self.first, self.last = 0, 0.0, 0.0

    def hit(self) -> None:
        self.last = time.monotonic()
        self.first = self.first or self.last
        self.n += 1

    def snapshot(self) -> list:
        n = self.n  # read first: first and last then belong to the n-th event or a later one
        return [n, self.first, self.last]


class _Sent:
    """Messages the worker produced, per topic (a Faust sensor sees every send)."""

    def __init__(self) -> None:
        self.by_topic: dict[str, int] = {}

    def sensor(self):
        import faust

        by_topic = self.by_topic

        class CountSends(faust.Sensor):
            def on_send_initiated(self, producer, topic, message, keysize, valsize):
                by_topic[topic] = by_topic.get(topic, 0) + 1

        return CountSends()

    def snapshot(self) -> dict:
        return dict(self.by_topic)


def _child_main(mode: str, config: dict) -> int:
    from streams.runtime.worker import make_worker

    counters = {"main": _Progress()}
    apps = {"nothing": _nothing_app, "sender": _sender_app, "naive": _naive_app, "pipeline": _pipeline_app}
    app = apps[mode](config, counters)
    out = os.fdopen(os.dup(1), "w", buffering=1)  # Faust's worker may redirect sys.stdout to its log
    threading.Thread(target=_report_forever, args=(out, counters, config["events"]), daemon=True).start()
    logfile = str(Path(config["work"]) / f"{mode}-faust.log")
    profile = _profiler()
    try:  # loglevel and quiet as streams.commands.runner starts a worker
        worker, _ = make_worker(app, loglevel="warn", logfile=logfile, quiet=True, delivery_timeout_s=60.0)
        worker.execute_from_commandline()
    except SystemExit as exit_:
        return int(exit_.code or 0)
    finally:
        if profile is not None:
            profile.disable()
            profile.dump_stats(str(Path(os.environ[PROFILE_ENV]) / f"{mode}.prof"))
    return 0


def _profiler():
    """With LEADSLA_BENCH_PROFILE=DIR, the worker's event-loop thread is profiled into DIR/MODE.prof."""
    if not os.environ.get(PROFILE_ENV):
        return None
    import cProfile

    profile = cProfile.Profile()
    profile.enable()
    return profile


def _report_forever(out, counters: dict, target: int) -> None:
    while True:
        time.sleep(0.5)
        if not _report(out, counters) or counters["main"].n >= target:
            break
    time.sleep(SETTLE_S)  # a commit writes the coalesced changelogs: count them too
    _report(out, counters, final=True)
    os.kill(os.getpid(), signal.SIGTERM)  # Faust's worker stops cleanly on SIGTERM


def _report(out, counters: dict, final: bool = False) -> bool:
    """Print progress; False when the benchmark is gone."""
    snap = {name: counter.snapshot() for name, counter in counters.items()}
    try:
        print("BENCH " + json.dumps(dict(snap, final=final)), file=out)
    except OSError:
        return False
    return True


def _plain_app(config: dict, name: str):
    import faust

    from streams.runtime.settings import Settings

    partitions = Settings().partitions  # as many as the input topics the benchmark created
    app = faust.App(config["app_id"], broker=f"kafka://{config['broker']}", store="memory://", web_enabled=False,
                    topic_partitions=partitions, datadir=str(Path(config["work"]) / name),
                    consumer_auto_offset_reset="earliest", **FAST_JOIN)
    return app, app.topic(*config["inputs"], key_serializer="raw", value_serializer="raw"), partitions


def _nothing_app(config: dict, counters: dict):
    app, inputs, _ = _plain_app(config, "nothing")
    done = counters["main"]

    @app.agent(inputs, name="nothing", concurrency=1)
    async def nothing(stream):
        async for _ in stream.events():
            done.hit()

    return app


def _sender_app(config: dict, counters: dict):
    app, inputs, _ = _plain_app(config, "sender")
    out = app.topic(config["sink"], key_serializer="raw", value_serializer="raw")
    done = counters["main"]

    @app.agent(inputs, name="sender", concurrency=1)
    async def sender(stream):
        async for event in stream.events():
            out.send_soon(key=event.key, value=event.value)
            done.hit()

    return app


def _naive_app(config: dict, counters: dict):
    app, inputs, partitions = _plain_app(config, "naive")
    table = app.Table("naive-latest", partitions=partitions, key_type=bytes, value_type=bytes)
    done = counters["main"]

    @app.agent(inputs, name="naive", concurrency=1)
    async def naive(stream):
        async for event in stream.events():
            table[event.key] = event.value
            done.hit()

    return app


def _pipeline_app(config: dict, counters: dict):
    """The app as ``create_app`` builds it (ticks included), its metrics counting the events."""
    from streams.metrics.pipeline import PipelineMetrics
    from streams.runtime.app import create_app
    from streams.runtime.policy_source import load_policy
    from streams.runtime.settings import Settings

    tracked, sent = counters["main"], counters.setdefault("sent", _Sent())

    class CountingMetrics(PipelineMetrics):
        def observe_step(self, partition, entry, *rest) -> None:  # the tracker stepped a record
            super().observe_step(partition, entry, *rest)
            if entry.kind != "tick":
                tracked.hit()

    policy = load_policy(None)
    settings = Settings(broker=config["broker"], app_id=config["app_id"], topic_prefix=config["prefix"],
                        metrics_port=0, data_dir=Path(config["work"]) / "pipeline")
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    app = create_app(settings, policy, metrics=CountingMetrics(policy=policy))
    app.sensors.add(sent.sensor())
    return app


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1], json.loads(sys.argv[2])))
