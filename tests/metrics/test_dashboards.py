"""Generated dashboards: in step with the generator, shaped by the policy, loadable by Grafana."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from alerts.rules import rule_file
from grafana.build import UIDS, dashboards
from grafana.generate import GRAFANA_DIR, generated_files, stale_files
from grafana.panels import DATASOURCE_UID
from streams.cli import main as leadsla
from streams.metrics import names
from tests.metrics.feed import example_policy
from tools.previews.rendering import panel_specs


@pytest.fixture(scope="module")
def boards() -> dict[str, dict]:
    return dashboards(example_policy())


def test_committed_dashboards_and_provisioning_match_the_generator():
    stale = stale_files(example_policy())
    assert stale == [], f"regenerate with `leadsla dashboards`: {stale}"


def test_leadsla_dashboards_writes_the_files_and_check_spots_a_hand_edit(tmp_path: Path):
    assert leadsla(["dashboards", "--output", str(tmp_path)]) == 0
    assert leadsla(["dashboards", "--output", str(tmp_path), "--check"]) == 0
    board = tmp_path / "dashboards" / "speed-to-lead.json"
    board.write_text(board.read_text().replace("Speed to lead", "Speed 2 lead"))
    assert leadsla(["dashboards", "--output", str(tmp_path), "--check"]) == 1


def test_five_dashboards_with_stable_uids_and_the_provisioned_datasource(boards):
    assert {stem: board["uid"] for stem, board in boards.items()} == UIDS
    for board in boards.values():
        panels = [p for p in board["panels"] if p["type"] != "row"]
        assert [p["id"] for p in board["panels"]] == list(range(1, len(board["panels"]) + 1))
        assert {t["datasource"]["uid"] for p in panels for t in p["targets"]} == {DATASOURCE_UID}
    provisioned = yaml.safe_load((GRAFANA_DIR / "provisioning/datasources/leadsla.yaml").read_text())
    assert provisioned["datasources"][0]["uid"] == DATASOURCE_UID


def test_each_segment_gets_a_speed_panel_with_its_own_target_as_the_goal_line(boards):
    specs = {s.title: s for s in panel_specs(boards["speed-to-lead"])}
    demo = specs["enterprise-demo: target 15m (business hours)"]
    assert [q.legend for q in demo.queries] == ["average", "median", "p90", "average (wall clock)", "SLA target 15m"]
    assert [q.expr for q in demo.queries if q.goal] == ["vector(900)"]
    assert "histogram_quantile(0.9," in demo.queries[2].expr and 'segment="enterprise-demo"' in demo.queries[2].expr
    assert {s.name for s in example_policy().segments} == {t.split(":")[0] for t in specs if ": target" in t}


def test_a_changed_policy_changes_the_dashboards():
    policy = example_policy()
    tighter = policy.model_copy(update={"segments": tuple(
        s.model_copy(update={"speed_to_lead": s.speed_to_lead.model_copy(update={"target": timedelta(minutes=5)})})
        if s.name == "enterprise-demo" else s for s in policy.segments)})
    text = json.dumps(dashboards(tighter)["speed-to-lead"])
    assert "enterprise-demo: target 5m (business hours)" in text and "vector(300)" in text


def test_team_picker_lists_the_policy_teams_and_filters_team_queries(boards):
    team = next(v for v in boards["speed-to-lead"]["templating"]["list"] if v["name"] == "team")
    assert team["query"] == "emea,enterprise,inbound-east,inbound-west,other" and team["allValue"] == ".*"
    waiting = next(s for s in panel_specs(boards["speed-to-lead"]) if s.title == "Waiting now")
    assert waiting.queries[0].expr == 'sum (leadsla_leads_waiting{team=~"$team"})'


def test_waterfall_has_one_goal_line_per_goal_group_in_its_mode(boards):
    specs = {s.title: s for s in panel_specs(boards["marketing-waterfall"])}
    assert {"enterprise-demos: value this month", "enterprise-content: leads this month",
            "mid-market: leads this month", "smb: leads this month", "total: leads this month"} <= set(specs)
    smb = specs["smb: leads this month"]
    assert [(q.legend, q.goal) for q in smb.queries] == [("actual", False), ("goal line", True)]
    # Workers' sums, added up; the goal line from the recording rule that combines every worker's figures.
    assert smb.queries[0].expr == 'sum by (group) (leadsla_marketing_group_leads_month_to_date{group="smb"})'
    assert smb.queries[1].expr == 'max by (group) (leadsla:marketing_goal_leads_to_date{group="smb"})'
    demos = specs["enterprise-demos: value this month"]
    assert "leadsla:marketing_value_to_date" in demos.queries[0].expr
    assert "leadsla:marketing_goal_value_to_date" in demos.queries[1].expr


def test_the_waterfall_shows_the_sales_cycle_of_the_window_and_whether_workers_agree(boards):
    specs = panel_specs(boards["marketing-waterfall"])
    titles = [s.title for s in specs]
    # Among the closed loop's inputs, right after them.
    assert titles.index("Sales cycle of the window, per worker (months)") == titles.index("Marketing share") + 1
    cycle = specs[titles.index("Marketing share") + 1]
    assert [(q.legend, q.expr) for q in cycle.queries] == [
        ("{{instance}}", f"max by (instance) ({names.CLOSED_LOOP_CYCLE.name})"),
        ("every worker", f"max ({names.CYCLE_RULE})")]
    agree = specs[titles.index("Marketing share") + 2]
    assert (agree.title, agree.kind) == ("Sales cycles in use", "stat")
    assert agree.queries[0].expr == f'count (count_values ("months", {names.CLOSED_LOOP_CYCLE.name}))'
    panel = next(p for p in boards["marketing-waterfall"]["panels"] if p["title"] == agree.title)
    assert names.CYCLE_ALERT in panel["description"]
    assert [s["color"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]] == ["green", "red"]


def test_every_recording_rule_a_dashboard_reads_is_generated(boards):
    generated = {rule.get("record") for group in rule_file(example_policy())["groups"] for rule in group["rules"]}
    read = {name for board in boards.values() for name in re.findall(r"leadsla:[a-z_:0-9]+", json.dumps(board))}
    assert read and read <= generated


def test_generated_files_are_what_provisioning_points_at():
    files = generated_files(example_policy())
    provider = yaml.safe_load(files["provisioning/dashboards/leadsla.yaml"])["providers"][0]
    assert provider["type"] == "file" and provider["options"]["path"].endswith("/leadsla")
    assert sorted(p for p in files if p.startswith("dashboards/")) == [
        "dashboards/follow-up-depth.json", "dashboards/marketing-waterfall.json",
        "dashboards/pipeline-health.json", "dashboards/rep-bandwidth.json", "dashboards/speed-to-lead.json"]
