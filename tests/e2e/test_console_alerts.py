"""The embedded default: `leadsla run --simulate` with no Alertmanager shows the
alerts on-call would get, in the console."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import pytest

from tests.harness import REPO, wait_for

pytestmark = pytest.mark.broker
EXPECTED = {("FIRING", "LeadSLAWarning"), ("FIRING", "LeadSLABreached"), ("FIRING", "LeadSLAEscalated"),
            ("RESOLVED", "LeadSLABreached")}


def test_leadsla_run_shows_warnings_breaches_escalations_and_resolutions_in_the_console(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADSLA_")}
    env.update(LEADSLA_DATA_DIR=str(tmp_path / "data"), LEADSLA_METRICS_PORT="0", PYTHONPATH=str(REPO))
    # Ten simulated minutes per real second: a Monday morning goes by in a few seconds.
    run = subprocess.Popen([sys.executable, "-m", "streams.cli", "run", "--simulate", "--speed", "600",
                            "--seconds", "120"], env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    threading.Thread(target=_read_into, args=(run.stdout, lines), daemon=True).start()
    try:
        wait_for(lambda: _shown(lines), lambda shown: EXPECTED <= shown, timeout_s=100)
    finally:
        run.send_signal(signal.SIGTERM)
        run.wait(timeout=30)
    assert EXPECTED <= _shown(lines), "".join(lines[-60:])
    breach = next(line for line in lines if line.startswith("ALERT FIRING") and "LeadSLABreached" in line)
    assert "breached its speed-to-lead SLA" in breach and "https://crm.example.com/leads/L-" in breach
    assert "notify=rep" in breach and "team=" in breach


def _read_into(stream, lines: list[str]) -> None:
    for line in stream:  # appended one by one, so the test sees them as they come
        lines.append(line)


def _shown(lines: list[str]) -> set[tuple[str, str]]:
    return {(line.split()[1], line.split()[3]) for line in list(lines) if line.startswith("ALERT ")}
