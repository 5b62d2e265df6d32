"""A policy history (a folder of dated versions) as ``report``, ``digest`` and ``evaluate`` read it,
through ``--policy`` or LEADSLA_POLICY: each lead cycle judged by the version in force at its
handoff (see policy_change.py for the period and the figures worked out by hand)."""

from __future__ import annotations

import json
import math
import statistics
import subprocess
import sys
from datetime import datetime, timezone

import pytest

from streams.cli import main
from tests.harness import REPO
from tests.stream.commands.policy_change import write_events, write_history, write_relaxed

PERIOD = ["--from", "2026-10-30", "--to", "2026-11-03"]


@pytest.fixture
def events(tmp_path):
    return write_events(tmp_path)


@pytest.fixture
def history(tmp_path):
    return write_history(tmp_path)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_each_lead_is_judged_by_the_version_in_force_at_its_handoff(capsys, events, history):
    code, out, err = run(capsys, "report", *PERIOD, "--events", str(events), "--policy", str(history),
                         "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    east = next(t for t in document["teams"] if t["team"] == "inbound-east")
    assert (east["leads_decided"], east["met"], east["breached"]) == (4, 3, 1)  # A, B, K met; C breached
    # First contacts on the business clock: A 50m (Fri 30m + Mon 20m), B 30m, C 2h, K 2h.
    business = sorted([3000, 1800, 7200, 7200])
    assert east["median_business_seconds"] == statistics.median(business) == 5100
    assert east["p90_business_seconds"] == business[math.ceil(0.9 * len(business)) - 1] == 7200
    assert {b["lead_id"] for b in document["breaches"]} == {"C", "D"}
    versions = document["policy_versions"]
    targets = {v["name"]: {t["segment"]: t["target_seconds"] for t in v.pop("targets")} for v in versions}
    assert targets == {"2026-01-01.yaml": {**targets["2026-01-01.yaml"], "mid-market": 3600},
                       "2026-11-02-slower-mid-market.yaml": {**targets["2026-01-01.yaml"], "mid-market": 3 * 3600}}
    assert versions == [
        {"name": "2026-01-01.yaml", "effective_from": "2026-01-01", "in_force_from": "2026-10-30T04:00:00Z",
         "in_force_to": "2026-11-02T05:00:00Z", "leads_decided": 4},  # A, B, C, D
        {"name": "2026-11-02-slower-mid-market.yaml", "effective_from": "2026-11-02",
         "in_force_from": "2026-11-02T05:00:00Z", "in_force_to": "2026-11-04T05:00:00Z", "leads_decided": 1}]
    assert "replaying under policy versions 2026-01-01.yaml, 2026-11-02-slower-mid-market.yaml" in err  # one run


def test_one_policy_file_judges_every_lead_by_itself(capsys, events):
    code, out, _ = run(capsys, "report", *PERIOD, "--events", str(events), "--format", "json")
    east = next(t for t in json.loads(out)["teams"] if t["team"] == "inbound-east")
    assert (east["met"], east["breached"]) == (2, 2)  # K breached under the 1h target
    assert json.loads(out)["policy_versions"] == []


def test_the_markdown_says_which_versions_applied(capsys, events, history, monkeypatch):
    monkeypatch.setenv("LEADSLA_POLICY", str(history))
    code, out, _ = run(capsys, "report", *PERIOD, "--events", str(events))
    assert code == 0
    assert "### Policy versions applied" in out
    assert ("| 2026-11-02-slower-mid-market.yaml | 2026-11-02 | Mon 2026-11-02 00:00 EST to Wed 2026-11-04 00:00 EST "
            "| 1 |") in out
    assert "| 2026-01-01.yaml | mid-market | 1h | business | 90.0% | 6 in 10d |" in out  # differs from the last day's
    assert "| 2026-01-01.yaml | smb |" not in out  # the same in both


def test_evaluate_reads_the_same_setting_and_the_same_history(capsys, events, history, monkeypatch):
    monkeypatch.setenv("LEADSLA_POLICY", str(history))
    code, out, _ = run(capsys, "evaluate", "--events", str(events), "--as-of", "2026-11-04T00:00:00-05:00")
    assert code == 0
    ids = {json.loads(line)["outcome_id"] for line in out.splitlines()}
    assert {"K/1/met", "C/1/breached", "A/1/met"} <= ids
    assert "K/1/breached" not in ids and "C/1/met" not in ids


def test_evaluate_without_policy_flag_uses_LEADSLA_POLICY(capsys, events, tmp_path, monkeypatch):
    """Before, evaluate ignored the setting the worker reads: an audit under another policy, silently."""
    monkeypatch.setenv("LEADSLA_POLICY", str(write_relaxed(tmp_path)))
    _, out, _ = run(capsys, "evaluate", "--events", str(events), "--jobs", "1")
    ids = {json.loads(line)["outcome_id"] for line in out.splitlines()}
    assert "C/1/met" in ids and "C/1/breached" not in ids


def test_the_digest_of_the_new_versions_first_day(capsys, events, history):
    _, out, _ = run(capsys, "digest", "--date", "2026-11-02", "--events", str(events), "--policy", str(history))
    assert "*inbound-east*: speed 2 of 2 leads within target (100.0%)" in out  # A (old version) and K (new)


@pytest.mark.parametrize("name, message", [
    ("march.yaml", "a policy version's name starts with the date it comes into force"),
    ("2026-02-30.yaml", "a policy version's name starts with the date it comes into force"),
])
def test_a_version_without_a_date_is_a_message_and_exit_2(events, history, name, message):
    (history / name).write_text((history / "2026-01-01.yaml").read_text())
    result = subprocess.run([sys.executable, "-m", "streams.cli", "report", *PERIOD, "--events", str(events),
                             "--policy", str(history)], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert (result.returncode, "Traceback" in result.stderr) == (2, False)
    assert f"{history / name}: {message}" in result.stderr


def test_a_broken_version_names_its_file_and_line(events, history):
    (history / "2026-06-01.yaml").write_text("version: 1\nsegments: nope\n")
    result = subprocess.run([sys.executable, "-m", "streams.cli", "evaluate", "--events", str(events),
                             "--policy", str(history)], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert (result.returncode, "Traceback" in result.stderr) == (2, False)
    assert f"{history / '2026-06-01.yaml'}:" in result.stderr


def test_an_empty_folder_is_a_message(tmp_path, events):
    (tmp_path / "empty").mkdir()
    result = subprocess.run([sys.executable, "-m", "streams.cli", "report", *PERIOD, "--events", str(events),
                             "--policy", str(tmp_path / "empty")], capture_output=True, text=True, cwd=REPO,
                            timeout=60)
    assert result.returncode == 2 and "holds no versions" in result.stderr


def test_alerts_dashboards_and_a_workers_metrics_use_the_version_in_force_now(history):
    from streams.commands.policy_versions import policy_in_force

    def mid_market_target(policy):
        return next(s for s in policy.segments if s.name == "mid-market").speed_to_lead.target.total_seconds()

    assert mid_market_target(policy_in_force(history, datetime(2026, 11, 1, 12, tzinfo=timezone.utc))) == 3600
    assert mid_market_target(policy_in_force(history, datetime(2026, 11, 2, 12, tzinfo=timezone.utc))) == 3 * 3600
