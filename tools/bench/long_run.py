"""``leadsla bench-long-run``: does a live worker's memory stay bounded over weeks of traffic?

Runs ``leadsla run --simulate`` (the embedded broker, one worker, the simulated CRM) at a
high simulated speed under the example policy with a short ``retire_after``, and every few
seconds reads the worker's ``/metrics`` (leads tracked, tombstones of retired leads, events
read, the watermark) and its resident memory. Bounded means: once leads retire as fast as
they arrive, the tracked leads level off while only the tombstones (a few fields each) keep
growing, and the worker's memory follows the tracked leads, not the events read.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from importlib.resources import files
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from models.durations import format_duration
from streams.kafka.broker import free_port
from streams.metrics import names
from streams.runtime.policy_source import EXAMPLE_POLICY

CHECKOUT = Path(__file__).resolve().parents[2]
STOP_GRACE_S = 30.0


@dataclass(frozen=True)
class Sample:
    real_s: float
    watermark: datetime | None
    events: float
    tracked: float
    retired: float
    rss_mib: float


def run_long_run(minutes: float, speed: float, leads_per_hour: float, retire_after: timedelta,
                 every_s: float = 20.0) -> int:
    with tempfile.TemporaryDirectory(prefix="leadsla-long-run-") as work:
        policy = _policy_file(Path(work), retire_after)
        port = free_port()
        print(f"bench-long-run: {minutes:g} min at {speed:g}× ({speed * minutes / 60 / 24:.1f} simulated days), "
              f"{leads_per_hour:g} leads/h, retire_after {format_duration(retire_after)}; the worker's log: "
              f"{work}/run.log (kept until the end)")
        with open(Path(work) / "run.log", "wb") as log:
            proc = _start(policy, port, Path(work), speed, leads_per_hour, log)
            try:
                samples = _sample(proc, port, minutes * 60, every_s)
            finally:
                _stop(proc)
        if len(samples) < 2:
            print("bench-long-run: fewer than two samples: nothing to compare; the run's log:")
            print((Path(work) / "run.log").read_text(errors="replace")[-3000:])
            return 1
        _verdict(samples)
        return 0


def _policy_file(work: Path, retire_after: timedelta) -> Path:
    text = files("models").joinpath(EXAMPLE_POLICY).read_text()
    path = work / "policy.yaml"
    path.write_text(text.replace("\nversion: 1\n", f"\nversion: 1\nretire_after: {format_duration(retire_after)}\n",
                                 1))
    return path


def _start(policy: Path, port: int, work: Path, speed: float, leads_per_hour: float, log) -> subprocess.Popen:
    env = dict(os.environ, LEADSLA_METRICS_PORT=str(port), LEADSLA_DATA_DIR=str(work / "data"),
               LEADSLA_BROKER="", PYTHONPATH=str(CHECKOUT))
    command = [sys.executable, "-m", "streams.cli", "run", "--simulate", "--no-view", "--policy", str(policy),
               "--speed", f"{speed:g}", "--leads-per-hour", f"{leads_per_hour:g}"]
    return subprocess.Popen(command, cwd=CHECKOUT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _sample(proc: subprocess.Popen, port: int, seconds: float, every_s: float) -> list[Sample]:
    print(f"  {'real':>6}  {'watermark (simulated)':<22}{'events read':>12}{'tracked leads':>15}"
          f"{'retired leads':>15}{'worker RSS':>12}")
    started, samples = time.monotonic(), []
    while time.monotonic() - started < seconds and proc.poll() is None:
        time.sleep(min(every_s, max(0.0, seconds - (time.monotonic() - started))))
        sample = _read(proc.pid, port, time.monotonic() - started)
        if sample is None:
            print(f"  {time.monotonic() - started:>5.0f}s  (no metrics yet)")
            continue
        samples.append(sample)
        when = sample.watermark.strftime("%a %d %b %H:%M") if sample.watermark else "-"
        print(f"  {sample.real_s:>5.0f}s  {when:<22}{sample.events:>12,.0f}{sample.tracked:>15,.0f}"
              f"{sample.retired:>15,.0f}{sample.rss_mib:>8.0f} MiB", flush=True)
    if proc.poll() is not None:
        print(f"bench-long-run: the run stopped early (status {proc.returncode}); figures up to then")
    return samples


def _read(pid: int, port: int, real_s: float) -> Sample | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
            text = response.read().decode()
    except OSError:
        return None
    values: dict[str, list[float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            values.setdefault(sample.name, []).append(sample.value)
    if names.TRACKED_LEADS.name not in values:
        return None  # the first gauge round has not run yet
    marks = [v for v in values.get(names.WATERMARK.name, []) if v > 0]
    watermark = datetime.fromtimestamp(min(marks), timezone.utc) if marks else None
    return Sample(real_s, watermark, sum(values.get(names.EVENTS.name, [])),
                  sum(values[names.TRACKED_LEADS.name]), sum(values.get(names.RETIRED_LEADS.name, [])),
                  _rss_mib(pid))


def _rss_mib(pid: int) -> float:
    """Resident memory of the ``leadsla run`` process: the worker and the simulator (the
    embedded broker is a process of its own)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C: the worker, the simulator and the broker stop
        try:
            proc.wait(STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _verdict(samples: list[Sample]) -> None:
    """Tracked leads and memory in the second half of the run against the first: bounded state
    levels off while the events read and the tombstones keep growing."""
    half = len(samples) // 2
    first, second, last = samples[:half] or samples[:1], samples[half:], samples[-1]
    peak_first, peak_second = max(s.tracked for s in first), max(s.tracked for s in second)
    rss_first, rss_second = max(s.rss_mib for s in first), max(s.rss_mib for s in second)
    events_first = first[-1].events
    print(f"bench-long-run: events read {events_first:,.0f} by half time, {last.events:,.0f} at the end "
          f"({last.events / max(events_first, 1):.1f}×)")
    print(f"bench-long-run: tracked leads peak {peak_first:,.0f} in the first half, {peak_second:,.0f} in the "
          f"second ({peak_second / max(peak_first, 1):.2f}×); {last.tracked:,.0f} at the end beside "
          f"{last.retired:,.0f} tombstones")
    print(f"bench-long-run: worker RSS peak {rss_first:,.0f} MiB in the first half, {rss_second:,.0f} MiB in the "
          f"second ({rss_second / max(rss_first, 1):.2f}×)")
