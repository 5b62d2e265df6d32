"""Render grafana/previews/*.png: what the dashboards show on a simulated working morning.

    python -m tools.previews [--seconds 480] [--window 5m]

Starts the embedded broker, ``leadsla run --simulate`` (60x: a real minute is a
simulated hour, from Monday 09:00 New York), a local Prometheus scraping it, and
renders every dashboard from its own queries at the end. Needs ``prometheus`` and
matplotlib (the ``previews`` extra).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from alerts.generate import rules_text
from grafana.build import dashboards
from streams.kafka.admin import ensure_topics
from streams.kafka.broker import free_port
from streams.kafka.broker import EmbeddedBroker
from streams.runtime.clock import demo_clock
from streams.runtime.policy_source import load_policy
from streams.runtime.settings import Settings
from streams.runtime.topology import topic_specs
from tools.local.prometheus import LocalPrometheus
from tools.previews.demo_run import demo_leads, produce_broken_record, produce_events, run_env, start_simulated_run
from tools.previews.rendering import render

CHECKOUT = Path(__file__).resolve().parents[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.previews", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=480, help="real seconds to run (default 480)")
    parser.add_argument("--window", default="10m", help="value of the dashboards' $window (real time)")
    parser.add_argument("--output", type=Path, default=CHECKOUT / "grafana" / "previews")
    args = parser.parse_args(argv)
    policy = load_policy(None)
    with tempfile.TemporaryDirectory() as tmp, EmbeddedBroker(log_dir=Path(tmp)) as broker:
        settings = Settings(broker=broker.bootstrap, app_id="previews", topic_prefix="previews",
                            tick_interval_s=0.5, metrics_port=free_port())
        ensure_topics(settings.bootstrap, topic_specs(settings))
        with LocalPrometheus([f"127.0.0.1:{settings.metrics_port}"], Path(tmp) / "prometheus", "2s",
                             rules=rules_text(policy)) as prometheus:
            clock, start = demo_clock(60.0), time.time()
            run = start_simulated_run(settings.bootstrap, run_env(settings, Path(tmp)), Path(tmp), args.seconds + 120)
            try:
                produce_events(settings.bootstrap, settings.topics, demo_leads(policy, clock.now()))
                produce_broken_record(settings.bootstrap, settings.topics)
                _wait(args.seconds, clock)
                note = f"{args.seconds / 60:.0f} real minutes of the 60x demo from Monday 09:00 New York"
                for stem, board in dashboards(policy).items():
                    empty = render(board, prometheus, args.output / f"{stem}.png", start=start, end=time.time(),
                                   window=args.window, note=note)
                    print(f"wrote {args.output / f'{stem}.png'}" + (f" (no data: {empty})" if empty else ""))
            finally:
                run.terminate()
                run.wait(timeout=30)
    return 0


def _wait(seconds: float, clock) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        print(f"  {left:4.0f}s left; simulated time {clock.now():%a %H:%M} UTC", file=sys.stderr, flush=True)
        time.sleep(min(30.0, left))


if __name__ == "__main__":
    sys.exit(main())
