"""The ``leadsla`` command fails like a good tool: one message naming what to fix, an exit
code a script can branch on, never a traceback for a user's mistake. Each case runs the
real command as a user would, in a subprocess."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time

import pytest

from streams.kafka.broker import free_port
from streams.runtime.settings import settings_from_env
from tests.harness import REPO

HANDOFF = {"schema_version": 1, "kind": "handoff", "event_id": "h-1", "lead_id": "L-42",
           "occurred_at": "2026-03-02T15:00:00Z", "owner_rep": "rep-ent-2", "team": "enterprise"}
CONVERSION = {"schema_version": 1, "kind": "lead_converted", "event_id": "c-1", "lead_id": "L-42",
              "occurred_at": "2026-03-02T14:55:00Z", "source": "marketing", "segment": "enterprise",
              "offer": "demo-request"}
BAD_POLICY = "version: 1\ndefault_calendar: office\nsegments:\n  - name: all\n    speed_to_lead: {target: 1x}\n"


def leadsla(*args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: float = 30):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADSLA_")}
    environment.update({"PYTHONPATH": str(REPO), "LEADSLA_METRICS_PORT": "0", **(env or {})})
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True,
                            env=environment, input=stdin, timeout=timeout)
    result.seconds = time.monotonic() - started
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture(autouse=True)
def _elsewhere(tmp_path, monkeypatch):
    """Run each command in its own folder: a command that got too far leaves nothing in the checkout."""
    monkeypatch.chdir(tmp_path)


def closed_port() -> int:
    return free_port()  # free a moment ago, and nothing of ours listens on it


@pytest.fixture
def bad_policy(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(BAD_POLICY)
    return path


@pytest.fixture
def events_file(tmp_path):
    path = tmp_path / "events.jsonl"
    lines = [json.dumps(CONVERSION).encode(), json.dumps(HANDOFF).encode(),
             b'{"schema_version": 1, "kind": "handoff", "value": ' + b"7" * 5000 + b"}",
             json.dumps({**HANDOFF, "event_id": "h-2", "automated": "yes"}).encode(),
             b'{"lead_id": "L-\xff"}', b"[" * 30_000]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


# --- --version and --help ------------------------------------------------------------------------


def test_version():
    result = leadsla("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"leadsla \d+\.\d+\.\d+\S*\n", result.stdout)


def test_help_lists_every_environment_variable_the_settings_read_and_the_exit_codes():
    class Recording(dict):
        def __init__(self):
            super().__init__()
            self.asked: set[str] = set()

        def get(self, key, default=None):
            self.asked.add(key)
            return default

    env = Recording()
    settings_from_env(env)
    help_text = leadsla("--help").stdout
    assert env.asked and all(name.startswith("LEADSLA_") for name in env.asked)
    assert [name for name in sorted(env.asked) if name not in help_text] == []
    assert "exit status: 0 done; 1 evaluate or goals rejected records" in help_text


# --- flags and settings refused before anything starts -------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["run", "--speed", "0"], "argument --speed: must be a number above 0, not '0'"),
    (["run", "--speed", "fast"], "argument --speed: must be a number, not 'fast'"),
    (["run", "--bad-rate", "1.5"], "argument --bad-rate: must be a share between 0 and 1 (0.01 is 1%), not '1.5'"),
    (["run", "--leads-per-hour", "-3"], "argument --leads-per-hour: must be a number above 0, not '-3'"),
    (["run", "--seconds", "inf"], "argument --seconds: must be a finite number, not 'inf'"),
    (["simulate", "--count", "0"], "argument --count: must be 1 or more, not '0'"),
    (["evaluate", "--events", "-", "--as-of", "2026-03-02T10:00"],
     "argument --as-of: '2026-03-02T10:00' has no time zone; add Z or +HH:MM"),
], ids=["speed-zero", "speed-word", "bad-rate", "leads-negative", "seconds-inf", "count-zero", "as-of-naive"])
def test_a_bad_flag_value_is_refused_naming_the_flag(args, message):
    result = leadsla(*args)
    assert result.returncode == 2
    assert result.stderr.strip().endswith(message)
    assert "embedded broker" not in result.stderr  # nothing started


def test_a_bad_setting_is_refused_naming_the_variable():
    result = leadsla("run", "--no-view", env={"LEADSLA_PARTITIONS": "twelve"})
    assert (result.returncode, result.stderr) == (2, "leadsla: LEADSLA_PARTITIONS must be a whole number, "
                                                      "not 'twelve'\n")


@pytest.mark.parametrize("command", [["run", "--no-view"], ["worker", "--broker", "127.0.0.1:9"],
                                     ["evaluate", "--events", "-"], ["generate-alerts", "--output", "out"]])
def test_an_invalid_policy_is_one_message_naming_file_and_line(bad_policy, command):
    result = leadsla(*command, "--policy", str(bad_policy), stdin="")
    assert result.returncode == 2
    assert result.stderr == (f"{bad_policy}:1: calendars: Field required\n"
                             f"{bad_policy}:5: segments[0].speed_to_lead.target: invalid duration '1x': "
                             f"use digits with d, h, m or s, e.g. '1h30m'\n")


def test_a_missing_policy_file_is_named(tmp_path):
    result = leadsla("evaluate", "--events", "-", "--policy", str(tmp_path / "nope.yaml"), stdin="")
    assert (result.returncode, result.stderr) == (
        2, f"{tmp_path / 'nope.yaml'}: cannot read the policy file: No such file or directory\n")


# --- brokers and ports ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["run", "--no-view"], ["worker"], ["simulate"], ["evaluate"]])
def test_an_unreachable_broker_is_reported_within_seconds_naming_the_address(command):
    address = f"127.0.0.1:{closed_port()}"
    result = leadsla(*command, "--broker", address, timeout=20)
    assert result.returncode == 3
    assert result.stderr == (f"leadsla: cannot reach the Kafka broker at {address}: Connection refused "
                             "(set by --broker or LEADSLA_BROKER)\n")
    assert result.seconds < 10


def test_a_broker_address_without_a_port_is_a_usage_error():
    result = leadsla("worker", env={"LEADSLA_BROKER": "kafka.internal"})
    assert (result.returncode, result.stderr) == (
        2, "leadsla: broker address 'kafka.internal' is not host:port (set by --broker or LEADSLA_BROKER)\n")


def test_a_worker_without_a_broker_says_how_to_give_one():
    result = leadsla("worker")
    assert (result.returncode, result.stderr) == (
        2, "leadsla: worker needs a broker: --broker HOST:PORT or LEADSLA_BROKER\n")


def test_a_metrics_port_in_use_is_named_with_its_setting_before_anything_starts():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = leadsla("run", "--no-view", "--seconds", "5", env={"LEADSLA_METRICS_PORT": str(port)})
    assert result.returncode == 3
    assert result.stderr == (f"leadsla: cannot serve metrics on 127.0.0.1:{port}: the port is already in use "
                             "(set LEADSLA_METRICS_PORT to a free port, or 0 for no metrics endpoint)\n")


# --- evaluate: rejected records ------------------------------------------------------------------


AS_OF = "2026-03-03T00:00:00Z"


def test_evaluate_reports_every_rejected_line_carries_on_and_exits_1(events_file):
    result = leadsla("evaluate", "--events", str(events_file), "--as-of", AS_OF)
    assert result.returncode == 1
    rejected = [line for line in result.stderr.splitlines() if ": rejected: " in line]
    assert [line.split(": rejected: ")[0] for line in rejected] == [f"{events_file}:{n}" for n in (3, 4, 5, 6)]
    assert rejected[0].endswith("malformed_json: a number is too long: Exceeds the limit (4300 digits) for "
                                "integer string conversion: value has 5000 digits")
    assert "L-42/1/opened" in result.stdout  # the valid lines were still evaluated
    assert '"events": 2' in result.stderr and '"rejected": 4' in result.stderr


def test_evaluate_allow_rejects_exits_0(events_file):
    result = leadsla("evaluate", "--events", str(events_file), "--as-of", AS_OF, "--allow-rejects")
    assert result.returncode == 0 and "L-42/1/opened" in result.stdout and '"rejected": 4' in result.stderr


def test_evaluate_of_clean_input_exits_0(tmp_path):
    result = leadsla("evaluate", "--events", "-", stdin=json.dumps(CONVERSION) + "\n" + json.dumps(HANDOFF) + "\n")
    assert result.returncode == 0 and '"rejected": 0' in result.stderr


def test_evaluate_names_a_missing_events_file(tmp_path):
    result = leadsla("evaluate", "--events", str(tmp_path / "none.jsonl"))
    assert (result.returncode, result.stderr) == (
        2, f"leadsla: cannot read the events file {tmp_path / 'none.jsonl'}: No such file or directory\n")


@pytest.mark.parametrize("command", [["goals", "--month", "2027-03", "--format", "json"],
                                     ["report", "--from", "2026-03-02", "--to", "2026-03-02"]],
                         ids=["goals", "report"])
def test_output_whose_reader_went_away_ends_quietly(tmp_path, events_file, command):
    """`leadsla goals … | head`: the reader closes the pipe early; no traceback, SIGPIPE's status."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("LEADSLA_")}
    environment.update({"PYTHONPATH": str(REPO), "LEADSLA_METRICS_PORT": "0"})
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone before anything is written
    try:
        result = subprocess.run([sys.executable, "-m", "streams.cli", *command, "--events", str(events_file)],
                                stdout=write_end, stderr=subprocess.PIPE, text=True, env=environment, timeout=60)
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr
    assert result.returncode == 141
