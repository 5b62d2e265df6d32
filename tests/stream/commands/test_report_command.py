"""``leadsla report`` as a user runs it: the hand-built period of tests/pure/report_period.py in
every format, figures checked against the ones worked out by hand there."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from streams.cli import main
from tests.harness import REPO
from tests.pure.events import as_json_line, attempt
from tests.pure.report_period import LATE_D, LINES, WALL_A, ny

PERIOD = ["--from", "2026-10-30", "--to", "2026-11-03"]


@pytest.fixture
def events(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([*LINES, '{"kind": "handoff"'] ) + "\n")  # and one broken line, the last
    return path


def report(capsys, *args) -> tuple[int, str, str]:
    code = main(["report", *PERIOD, *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_json_report_per_team(capsys, events):
    code, out, err = report(capsys, "--events", str(events), "--format", "json")
    assert code == 0
    document = json.loads(out)
    teams = {t["team"]: t for t in document["teams"]}
    east = teams["inbound-east"]
    assert (east["leads_decided"], east["met"], east["breached"]) == (3, 2, 1)
    assert (east["median_speed_seconds"], east["p90_speed_seconds"], east["median_business_seconds"]) == (
        7200, WALL_A, 3000)
    assert teams["enterprise"]["median_speed_seconds"] is None
    assert document["period"] == {"from": "2026-10-30", "to": "2026-11-03", "time_zone": "America/New_York",
                                  "start": "2026-10-30T04:00:00Z", "end": "2026-11-04T05:00:00Z"}
    breaches = {b["lead_id"]: b for b in document["breaches"]}
    assert breaches["D"]["late_by_seconds"] == LATE_D and breaches["D"]["contact_at"] is None
    assert breaches["C"]["deadline_at"] == "2026-10-30T15:00:00Z"
    depth = document["depth"]["teams"]
    assert depth == [{"team": "inbound-west", "periods_ended": 2, "depth_breached": 1, "share_within_target": 0.5,
                      "average_attempts": 2.0, "target_attempts": 6.0}]
    assert document["data_quality"]["rejected_by_code"] == {"malformed_json": 1}
    assert document["data_quality"]["rejected"][0]["where"] == f"{events}:{len(LINES) + 1}"
    assert "replaying events" in err and "1 rejected records" in err


def test_markdown_report_written_to_a_file(capsys, events, tmp_path):
    output = tmp_path / "march.md"
    code, out, err = report(capsys, "--events", str(events), "--output", str(output))
    assert (code, out) == (0, "")
    text = output.read_text()
    assert text.startswith("# Lead SLA report, 2026-10-30 to 2026-11-03 (America/New_York)")
    assert "| inbound-east | 3 | 2 | 1 | 66.7% | 3 |" in text
    assert "| D | 1 | enterprise | rep-c | enterprise-demo | Sat 2026-10-31 11:00 EDT | Mon 2026-11-02 09:15 EST |" \
        in text
    assert f"wrote the md report to {output}" in err


def test_csv_report_has_raw_figures(capsys, events, tmp_path):
    output = tmp_path / "report.csv"
    assert report(capsys, "--events", str(events), "--output", str(output))[0] == 0
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    teams = {r["team"]: r for r in rows if r["table"] == "teams"}
    assert float(teams["inbound-east"]["median_business_seconds"]) == 3000
    assert float(teams["inbound-east"]["p90_speed_seconds"]) == WALL_A
    assert {r["lead_id"] for r in rows if r["table"] == "breaches"} == {"C", "D"}
    assert [r["rep"] for r in rows if r["table"] == "depth.reps"] == ["rep-w"]


def test_a_day_outside_the_events_reports_nothing_decided(capsys, events):
    code, out, _ = report(capsys, "--events", str(events), "--format", "json", "--to", "2026-10-30")
    assert code == 0
    assert json.loads(out)["total"]["leads_decided"] == 2  # B met and C breached, on Friday only


@pytest.mark.parametrize("dates, message", [
    (["--from", "2026-13-01", "--to", "2026-11-03"], "not a date (YYYY-MM-DD): '2026-13-01'"),
    (["--from", "yesterday", "--to", "2026-11-03"], "not a date"),
    (["--from", "2026-11-03", "--to", "2026-10-30"], "--to must be on or after --from"),
])
def test_bad_dates_are_a_message_and_exit_2(events, dates, message):
    result = subprocess.run([sys.executable, "-m", "streams.cli", "report", *dates, "--events", str(events)],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_missing_events_file_is_a_message(tmp_path):
    result = subprocess.run([sys.executable, "-m", "streams.cli", "report", *PERIOD, "--events",
                             str(tmp_path / "nope.jsonl")], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert (result.returncode, "Traceback" in result.stderr) == (2, False)
    assert "cannot read the events file" in result.stderr


def test_the_policy_comes_from_the_same_setting_as_the_worker(events, tmp_path):
    """LEADSLA_POLICY, as the worker reads it: under a 3h mid-market target C was called in time."""
    policy = (REPO / "models" / "example_policy.yaml").read_text()
    relaxed = policy.replace("match: {source: marketing, segment: mid-market}\n    speed_to_lead:\n      target: 1h",
                             "match: {source: marketing, segment: mid-market}\n    speed_to_lead:\n      target: 3h")
    assert relaxed != policy
    (tmp_path / "relaxed.yaml").write_text(relaxed)
    env = {"PATH": "/usr/bin:/bin", "LEADSLA_POLICY": str(tmp_path / "relaxed.yaml"), "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "streams.cli", "report", *PERIOD, "--events", str(events),
                             "--format", "json"], capture_output=True, text=True, cwd=REPO, timeout=60, env=env)
    assert result.returncode == 0, result.stderr
    east = next(t for t in json.loads(result.stdout)["teams"] if t["team"] == "inbound-east")
    assert (east["met"], east["breached"]) == (3, 0)


def test_an_unreachable_broker_is_a_message_and_exit_3():
    from streams.kafka.broker import free_port

    address = f"127.0.0.1:{free_port()}"
    result = subprocess.run([sys.executable, "-m", "streams.cli", "report", *PERIOD, "--broker", address],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 3
    assert f"cannot reach the Kafka broker at {address}" in result.stderr
    assert "Traceback" not in result.stderr


def test_rep_bandwidth_per_rep(capsys, events):
    """Worked out from report_period.py: rep-b was handed B and C on Friday and tried each once
    (C connected); rep-a was handed A (Fri) and called it on Monday; rep-c was handed D and never
    called. rep-w's leads and attempts were in October's third week, before the period."""
    sequence_email = attempt(ny(10, 30, 11), "B", rep="rep-b", channel="email", automated=True)
    with events.open("a") as lines:  # not the rep's time: left out
        lines.write(as_json_line(sequence_email) + "\n")
    _, out, _ = report(capsys, "--events", str(events), "--format", "json")
    found = {b["rep"]: b for b in json.loads(out)["bandwidth"]}
    assert set(found) == {"rep-a", "rep-b", "rep-c"}
    b = found["rep-b"]
    assert (b["team"], b["leads_handed"], b["attempts"], b["connected"], b["active_days"]) == (
        "inbound-east", 2, 2, 1, 1)
    assert (b["leads_per_day"], b["attempts_per_active_day"]) == (2 / 5, 2.0)
    assert (found["rep-c"]["leads_handed"], found["rep-c"]["attempts"], found["rep-c"]["attempts_per_active_day"]) == (
        1, 0, None)
    assert (found["rep-a"]["attempts"], found["rep-a"]["connected"]) == (1, 1)


def test_the_agreement_in_force_names_calendars_and_goal_groups(capsys, events):
    """Thanksgiving (26 Nov) is a holiday of the example's US calendars, not of London's."""
    code = main(["report", "--from", "2026-11-20", "--to", "2026-11-30", "--events", str(events), "--format", "json"])
    agreement = json.loads(capsys.readouterr().out)["agreement"]
    calendars = {c["name"]: c for c in agreement["calendars"]}
    assert code == 0
    assert calendars["us-east"]["holidays_in_period"] == ["2026-11-26"] and calendars["emea"]["holidays_in_period"] == []
    assert calendars["us-east"]["teams"] == ["enterprise", "inbound-east"]
    assert calendars["emea"]["hours"]["mon"] == ["09:00-12:30", "13:30-17:30"] and "sat" not in calendars["emea"]["hours"]
    groups = {g["group"]: g for g in agreement["goal_groups"]}
    assert groups["smb"] == {"group": "smb", "selects": "segment=smb", "mode": "count", "inputs": "fixed",
                             "quota": 600000}
    assert groups["mid-market"]["quota"] == 4100000  # the goals' quota, the group setting none
    main(["report", "--from", "2026-11-20", "--to", "2026-11-30", "--events", str(events)])
    assert "| us-east | America/New_York | mon-fri 09:00-17:00 | 2026-11-26 | enterprise, inbound-east |" in \
        capsys.readouterr().out
