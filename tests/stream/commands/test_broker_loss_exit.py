"""A worker whose broker lost its topics leaves with exit status 3 and the reason, even when its
stop hangs (Faust retrying commits on topics that are gone): the runner's grace, in a real process."""

from __future__ import annotations

import subprocess
import sys
import time

from tests.harness import REPO

HUNG_WORKER = """
import signal, time
from streams.commands import runner

class Guard:
    refused = None
    def refuse(self, reason):
        Guard.refused = reason

signal.signal(signal.SIGTERM, lambda *_: print("asked to stop; hanging", flush=True))  # a stop that never ends
runner.LOSS_EXIT_GRACE_S = 1.0
guard = Guard()
runner._stop_for_loss(guard, "the broker at b:9092 lost topic t (restarted empty?)")
assert Guard.refused, "no commit may follow a loss"
time.sleep(30)
"""


def test_a_hung_stop_after_a_loss_still_ends_with_status_3_and_the_reason():
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", HUNG_WORKER], capture_output=True, text=True, cwd=REPO, timeout=30,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert (done.returncode, done.stdout) == (3, "asked to stop; hanging\n"), done.stderr
    assert done.stderr == "leadsla: stopped: the broker at b:9092 lost topic t (restarted empty?)\n"
    assert time.monotonic() - began < 15
