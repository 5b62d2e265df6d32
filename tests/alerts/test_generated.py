"""Generated alerting files: in step with the generator, valid for the real tools,
and routing the way on-call expects."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from alerts.generate import ALERTMANAGER_FILE, RULES_FILE, alertmanager_text, render, rules_text, write_files
from alerts.routing import alertmanager_config
from alerts.rules import rule_file
from models.policy_file import parse_policy
from streams.runtime.policy_source import load_policy
from tests.alerts.policies import FAST_POLICY
from tests.harness import REPO

ALERTS = REPO / "alerts"
POLICY = load_policy(None)
REGENERATE = "run `leadsla generate-alerts` and commit the result"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: scripts/test installs prometheus and prometheus-alertmanager")
    return path


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO)


@pytest.mark.parametrize("name, render", [(RULES_FILE, rules_text), (ALERTMANAGER_FILE, alertmanager_text)])
def test_committed_files_are_what_the_example_policy_generates(name, render):
    assert (ALERTS / name).read_text() == render(POLICY), f"alerts/{name} is stale: {REGENERATE}"


def test_generate_alerts_writes_both_files(tmp_path):
    written = write_files(POLICY, tmp_path)
    assert sorted(p.name for p in written) == sorted([RULES_FILE, ALERTMANAGER_FILE])


def test_promtool_accepts_the_rules_and_their_unit_tests_pass():
    checked = run(tool("promtool"), "check", "rules", str(ALERTS / RULES_FILE))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = run(tool("promtool"), "test", "rules", str(Path(__file__).with_name("rules_test.yml")))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_each_segment_gets_a_compliance_ticket_at_its_own_target():
    policy = parse_policy(FAST_POLICY.replace("clock: 24x7", "clock: 24x7\n      compliance_target: 0.8"))
    rules = rule_file(policy)["groups"][0]["rules"]
    tickets = [r for r in rules if r.get("alert") == "LeadSLAComplianceLow"]
    assert [t["labels"]["segment"] for t in tickets] == ["e2e-demo"]
    assert 'ratio1d{segment="e2e-demo"} > 0.2' in tickets[0]["expr"]
    assert tickets[0]["labels"]["severity"] == "ticket"


@pytest.mark.parametrize("config", ["example", "always-open calendar"])
def test_amtool_accepts_the_alertmanager_config(config, tmp_path):
    text = (ALERTS / ALERTMANAGER_FILE).read_text() if config == "example" else (
        alertmanager_text(parse_policy(FAST_POLICY), webhook_url="http://127.0.0.1:9/hook"))
    path = tmp_path / "alertmanager.yml"
    path.write_text(text)
    checked = run(tool("amtool"), "check-config", str(path))
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("labels, receiver", [
    ("alertname=LeadSLABreached team=enterprise severity=page escalation=0", "enterprise-pages"),
    ("alertname=LeadSLAEscalated team=enterprise severity=page escalation=1 notify=manager", "enterprise-manager"),
    ("alertname=LeadSLAEscalated team=emea severity=page escalation=2 notify=head_of_sales", "emea-head_of_sales"),
    ("alertname=LeadSLAEscalated team=emea severity=page escalation=1 notify=manager", "emea-manager"),
    # A notify the policy no longer names (it changed since the outcome) still reaches the team's managers.
    ("alertname=LeadSLAEscalated team=emea severity=page escalation=3 notify=cfo", "emea-escalations"),
    ("alertname=LeadSLAWarning team=inbound-west severity=warning escalation=0", "inbound-west-chat"),
    ("alertname=LeadDepthBreached team=emea severity=ticket escalation=0 notify=rep owner_rep=rep-1", "emea-chat"),
    ("alertname=LeadSLAComplianceLow team=inbound-east severity=ticket segment=smb", "inbound-east-chat"),
    ("alertname=LeadSLATicksStopped team=platform severity=page", "platform-pages"),
    ("alertname=LeadSLADeadLetters team=platform severity=ticket", "platform-chat"),
    ("alertname=MarketingBehindGoal team=marketing severity=warning group=smb", "marketing-chat"),
    ("alertname=LeadSLABreached team=partners severity=page escalation=0", "leadsla-default"),
])
def test_the_routing_tree_sends_each_alert_to_its_team_and_severity(labels, receiver):
    routed = run(tool("amtool"), "config", "routes", "test", f"--config.file={ALERTS / ALERTMANAGER_FILE}",
                 *labels.split())
    assert routed.stdout.strip() == receiver, routed.stdout + routed.stderr


def test_inhibition_silences_the_lower_level_of_the_same_lead_cycle():
    inhibit_rules = yaml.safe_load((ALERTS / ALERTMANAGER_FILE).read_text())["inhibit_rules"]
    rules = {(tuple(r["source_matchers"]), tuple(r["target_matchers"])): r["equal"] for r in inhibit_rules}
    assert rules[(('alertname="LeadSLABreached"',), ('alertname="LeadSLAWarning"',))] == ["lead_id", "cycle"]
    assert rules[(('alertname="LeadSLAEscalated"',), ('alertname="LeadSLABreached"',))] == ["lead_id", "cycle"]
    assert rules[(('alertname="LeadSLAEscalated"', 'escalation="2"'),
                  ('alertname="LeadSLAEscalated"', 'escalation="1"'))] == ["lead_id", "cycle"]


def test_warnings_and_tickets_wait_for_the_teams_business_hours_but_pages_do_not():
    config = yaml.safe_load((ALERTS / ALERTMANAGER_FILE).read_text())
    enterprise = next(r for r in config["route"]["routes"] if r["matchers"] == ['team="enterprise"'])
    office = {r["receiver"] + "/" + r["matchers"][-1]: r.get("active_time_intervals") for r in enterprise["routes"]}
    assert office == {'enterprise-manager/notify="manager"': None,
                      'enterprise-head_of_sales/notify="head_of_sales"': None,
                      'enterprise-escalations/escalation!="0"': None, 'enterprise-pages/severity="page"': None,
                      'enterprise-chat/alertname="LeadDepthBreached"': ["business-hours-us-east"],
                      'enterprise-chat/severity="warning"': ["business-hours-us-east"],
                      'enterprise-chat/severity="ticket"': ["business-hours-us-east"]}
    hours = next(i for i in config["time_intervals"] if i["name"] == "business-hours-us-east")["time_intervals"]
    assert hours == [{"weekdays": ["monday:friday"], "times": [{"start_time": "09:00", "end_time": "17:00"}],
                      "location": "America/New_York"}]



def test_each_notify_level_gets_its_own_receiver_per_team_and_odd_names_stay_valid(tmp_path):
    odd = FAST_POLICY.replace("- {after: 8s, notify: manager}",
                              '- {after: 8s, notify: manager}\n        - {after: 1m, notify: \'vp "sales"\'}\n'
                              "        - {after: 2m, notify: pages}")
    config = alertmanager_config(parse_policy(odd))
    names = [r["name"] for r in config["receivers"]]
    assert names[:5] == ["leadsla-default", "e2e-team-manager", 'e2e-team-vp "sales"', "e2e-team-notify-pages",
                         "e2e-team-escalations"]
    assert len(names) == len(set(names))
    path = tmp_path / "alertmanager.yml"
    path.write_text(render(config))
    assert run(tool("amtool"), "check-config", str(path)).returncode == 0
    for notify, receiver in [("manager", "e2e-team-manager"), ('"vp \\"sales\\""', 'e2e-team-vp "sales"'),
                             ("pages", "e2e-team-notify-pages")]:
        routed = run(tool("amtool"), "config", "routes", "test", f"--config.file={path}", "alertname=LeadSLAEscalated",
                     "team=e2e-team", "severity=page", "escalation=2", f"notify={notify}")
        assert routed.stdout.strip() == receiver, routed.stdout + routed.stderr


def test_depth_breaches_are_grouped_per_rep_not_per_lead():
    config = yaml.safe_load((ALERTS / ALERTMANAGER_FILE).read_text())
    emea = next(r for r in config["route"]["routes"] if r["matchers"] == ['team="emea"'])
    depth = next(r for r in emea["routes"] if r["matchers"] == ['alertname="LeadDepthBreached"'])
    assert depth["group_by"] == ["alertname", "team", "owner_rep"] and depth["receiver"] == "emea-chat"
