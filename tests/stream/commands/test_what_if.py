"""``leadsla report --what-if``: the hand-built period (policy_change.py) under the policy in force
(mid-market 1h) and, side by side, under a proposed one (mid-market 3h). Worked out by hand:
C (called 2h after its handoff) and K (2h) go from breached to met; A and B stay met; D
(enterprise demo, never called) stays breached."""

from __future__ import annotations

import csv
import io
import json

import pytest

from streams.cli import main
from tests.stream.commands.policy_change import write_events, write_relaxed

PERIOD = ["--from", "2026-10-30", "--to", "2026-11-03"]


@pytest.fixture
def paths(tmp_path):
    return write_events(tmp_path), write_relaxed(tmp_path)


def report(capsys, paths, *args) -> str:
    events, relaxed = paths
    assert main(["report", *PERIOD, "--events", str(events), "--what-if", str(relaxed), *args]) == 0
    return capsys.readouterr().out


def test_compliance_side_by_side_and_the_changed_verdicts(capsys, paths):
    document = json.loads(report(capsys, paths, "--format", "json"))
    what_if = document["what_if"]
    assert what_if["policy"] == str(paths[1])
    east = next(t for t in what_if["teams"] if t["team"] == "inbound-east")
    assert (east["in_force"]["leads_decided"], east["in_force"]["met"]) == (4, 2)
    assert (east["what_if"]["leads_decided"], east["what_if"]["met"]) == (4, 4)
    assert (what_if["total"]["in_force"]["met"], what_if["total"]["what_if"]["met"]) == (2, 4)
    changes = {c["lead_id"]: c for c in what_if["changes"]}
    assert set(changes) == {"C", "K"}
    assert (changes["C"]["in_force"], changes["C"]["what_if"]) == ("breached", "met")
    assert (changes["C"]["deadline_in_force"], changes["C"]["deadline_what_if"]) == (
        "2026-10-30T15:00:00Z", "2026-10-30T17:00:00Z")  # Fri 11:00 and 13:00 EDT
    mid = next(t for t in what_if["targets"] if t["segment"] == "mid-market")
    assert mid["target_seconds"] == 3 * 3600
    # The report itself stays the policy in force's.
    assert next(t for t in document["teams"] if t["team"] == "inbound-east")["breached"] == 2


def test_markdown_shows_both_and_the_change_in_points(capsys, paths):
    text = report(capsys, paths)
    assert "## What-if" in text
    assert "| inbound-east | 4 | 2 | 50.0% | 4 | 4 | 100.0% | +50.0 pts |" in text
    assert "| C | 1 | inbound-east | rep-b | mid-market | breached | met |" in text


def test_csv_has_a_row_per_side(capsys, paths, tmp_path):
    output = tmp_path / "what-if.csv"
    report(capsys, paths, "--output", str(output))
    rows = list(csv.DictReader(io.StringIO(output.read_text())))
    east = {r["side"]: r for r in rows if r["table"] == "what_if.teams" and r["team"] == "inbound-east"}
    assert (east["in_force"]["met"], east["what_if"]["met"]) == ("2", "4")
    assert sorted(r["lead_id"] for r in rows if r["table"] == "what_if.changes") == ["C", "K"]


def test_without_what_if_the_section_is_empty(capsys, paths):
    events, _ = paths
    main(["report", *PERIOD, "--events", str(events), "--format", "json"])
    assert json.loads(capsys.readouterr().out)["what_if"] is None


def test_a_missing_what_if_policy_is_a_message_and_exit_2(capsys, paths, tmp_path):
    events, _ = paths
    code = main(["report", *PERIOD, "--events", str(events), "--what-if", str(tmp_path / "nope.yaml")])
    assert code == 2
    assert "nope.yaml: cannot read the policy file" in capsys.readouterr().err
