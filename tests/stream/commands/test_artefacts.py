"""Both generators take the same flags and never write into the installed package."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.cli import main as leadsla
from tests.harness import REPO


@pytest.mark.parametrize("command, written", [("generate-alerts", "rules.yml"),
                                              ("dashboards", "dashboards/speed-to-lead.json")])
def test_output_then_check_spots_a_hand_edit(command, written, tmp_path: Path):
    assert leadsla([command, "--output", str(tmp_path)]) == 0
    assert leadsla([command, "--output", str(tmp_path), "--check"]) == 0
    (tmp_path / written).write_text((tmp_path / written).read_text() + "# edited by hand\n")
    assert leadsla([command, "--output", str(tmp_path), "--check"]) == 1


@pytest.mark.parametrize("command", ["generate-alerts", "dashboards"])
def test_outside_a_checkout_output_is_required_and_nothing_is_written(command, tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert leadsla([command]) == 2
    assert "--output" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["generate-alerts", "dashboards"])
def test_in_the_checkout_the_committed_files_are_checked_by_default(command, monkeypatch):
    monkeypatch.chdir(REPO)
    assert leadsla([command, "--check"]) == 0


def test_a_folder_of_versions_generates_from_the_one_in_force_now(tmp_path: Path):
    """Alerts and dashboards follow the live worker, which runs the version in force."""
    versions = tmp_path / "policies"
    versions.mkdir()
    example = (REPO / "models" / "example_policy.yaml").read_text()
    (versions / "2020-01-01.yaml").write_text(example.replace("compliance_target: 0.95", "compliance_target: 0.5"))
    (versions / "2021-01-01.yaml").write_text(example)  # in force now
    (versions / "2999-01-01.yaml").write_text(example.replace("compliance_target: 0.95", "compliance_target: 0.6"))
    assert leadsla(["generate-alerts", "--output", str(tmp_path / "current")]) == 0
    assert leadsla(["generate-alerts", "--policy", str(versions), "--output", str(tmp_path / "current"),
                    "--check"]) == 0
