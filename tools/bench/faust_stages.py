"""The parent's side of the Faust stages: start a worker process, follow its progress, stop it.

The worker (tools.bench.worker) prints ``BENCH {json}`` progress lines on stdout.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from contextlib import ExitStack
from pathlib import Path

from tools.bench.rates import BenchError, Rate, report
from tools.bench.worker import BUDGET_S

PROGRESS_EVERY_S = 3.0
CHECKOUT = Path(__file__).resolve().parents[2]  # the worker module is run from this checkout


def run_child(mode: str, config: dict, cleanup: ExitStack) -> tuple[Rate, dict]:
    """The stage's rate, and its last progress report (``sent``: messages produced per topic)."""
    events, log = config["events"], Path(config["work"]) / f"{mode}.log"
    with open(log, "wb") as stderr:  # a session of its own: Ctrl-C reaches only us, and we stop it
        proc = subprocess.Popen([sys.executable, "-m", "tools.bench.worker", mode, json.dumps(config)], cwd=CHECKOUT,
                                stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True)
    cleanup.callback(_stop_process, proc)
    print(f"bench: {mode} worker started (pid {proc.pid}, budget {BUDGET_S[mode]:.0f} s)")
    latest: dict = {}
    reader = threading.Thread(target=_read_progress, args=(proc, latest), daemon=True)
    reader.start()
    snap = _watch(mode, proc, reader, latest, events, log)
    _stop_process(proc)
    n, first, last = snap["main"]
    rate = Rate(n - 1, last - first, complete=n >= events)  # n events: n - 1 intervals
    report(f"{mode} ({'all' if rate.complete else 'time budget: the first'} {n:,} events)", rate)
    return rate, snap


def _read_progress(proc: subprocess.Popen, latest: dict) -> None:
    for line in proc.stdout:
        _, marker, payload = line.partition("BENCH ")  # Faust's spinner may prefix terminal codes
        if marker:
            latest.update(json.loads(payload))


def _watch(mode: str, proc: subprocess.Popen, reader: threading.Thread, latest: dict, events: int,
           log: Path) -> dict:
    started = last_print = last_change = time.monotonic()
    seen = -1
    while True:
        time.sleep(0.2)
        if proc.poll() is not None:
            reader.join(timeout=2)  # its last lines
        snap, now = dict(latest), time.monotonic()
        n, first, last = snap.get("main", (0, 0.0, 0.0))
        if (n >= events and snap.get("final")) or (now - started > BUDGET_S[mode] and n >= 2):
            return snap
        if proc.poll() is not None:
            raise BenchError(f"{mode} worker exited with code {proc.returncode} after {n:,} events\n{_tail(log)}")
        seen, last_change = (n, now) if n != seen else (seen, last_change)
        if now - last_change > (60 if n == 0 else 30):
            raise BenchError(f"{mode} worker stalled at {n:,} of {events:,} events\n{_tail(log)}")
        if now - last_print >= PROGRESS_EVERY_S:
            last_print, rate = now, (n - 1) / (last - first) if n > 1 and last > first else 0
            print(f"  {mode}: {n:,}/{events:,} processed ({rate:,.0f} ev/s; {now - started:.0f} s)")


def _stop_process(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # Faust's worker leaves its group cleanly
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _tail(log: Path, lines: int = 15) -> str:
    """The end of the child's stderr and of its Faust log (where crashed agents are reported)."""
    paths = [log, log.with_name(log.stem + "-faust.log")]
    return "".join(f"--- last lines of {path} ---\n" + "\n".join(path.read_text(errors="replace")
                   .splitlines()[-lines:]) + "\n" for path in paths if path.exists())

