"""``sales_cycle_months: auto`` as a user meets it: ``leadsla goals``, ``report`` and ``digest`` compute
the same cycle from the same events; the live worker takes it; a bad value names file and line.

The events are test_goals_cli's: in August, September, November and December 2026 and January 2027,
a demo request converted on the 3rd at 15:00 UTC won a deal of 100 on the 20th at 15:00 UTC: five
won deals, 17 days each. For February 2027 the deals looked at closed from February 2026 on: all five,
mean 17 days, 17 / 30.4375 = 0.56 months, rounded: 1. The window (6 months) then ends two months
before February: July to December 2026; with the policy's fixed 0 it was August 2026 to January 2027.
"""

from __future__ import annotations

import json

import pytest

from tests.harness import REPO
from tests.stream.commands.test_cli_failures import leadsla
from tests.stream.commands.test_goals_cli import POLICY, files, record  # noqa: F401 (files: a fixture)

AUTO = POLICY.replace("closed_loop: {window_months: 6, sales_cycle_months: 0}",
                      "closed_loop: {window_months: 6, sales_cycle_months: auto}")
HEADER = ("Marketing goal for 2027-02, learned from 2026-07 to 2026-12 (6 months; sales cycle 1 month: auto, "
          "the mean 17.0 days from first conversion to won deal over 5 deals closed from 2026-02 on)")


def goals(events, policy, *args):
    return leadsla("goals", "--month", "2027-02", "--events", str(events), "--policy", str(policy), *args)


def test_the_flag_computes_the_cycle_and_says_how(files):  # noqa: F811
    policy, events = files
    result = goals(events, policy, "--sales-cycle-months", "auto", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["sales_cycle_months"] == 1
    assert report["window"] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert report["sales_cycle"] == {"months": 1, "setting": "auto", "computed_from_deals": 5, "mean_days": 17.0,
                                     "deals_closed_from": "2026-02", "fallback": False}
    # July and October hold nothing (left out): close rate 1/2, deals of 100, share 1: 100 leads.
    assert report["total"]["goal_leads"] == pytest.approx(100)
    table = goals(events, policy, "--sales-cycle-months", "auto")
    assert table.stdout.splitlines()[0] == HEADER


def test_goals_report_and_digest_agree_on_the_policys_auto(files):  # noqa: F811
    policy, events = files
    policy.write_text(AUTO)
    assert goals(events, policy).stdout.splitlines()[0] == HEADER
    fixed = json.loads(goals(events, policy, "--sales-cycle-months", "0", "--format", "json").stdout)
    assert (fixed["sales_cycle"], fixed["window"][-1]) == ({"months": 0, "setting": 0}, "2027-01")
    report = leadsla("report", "--from", "2027-02-01", "--to", "2027-02-10", "--events", str(events),
                     "--policy", str(policy), "--format", "json")
    assert report.returncode == 0, report.stderr
    total = next(g for g in json.loads(report.stdout)["marketing"]["groups"] if g["group"] == "total")
    assert (total["sales_cycle_months"], total["sales_cycle"]["computed_from_deals"]) == (1, 5)
    assert total["month_goal_leads"] == pytest.approx(100)
    digest = leadsla("digest", "--date", "2027-02-10", "--events", str(events), "--policy", str(policy))
    assert digest.returncode == 0, digest.stderr
    assert ("2027-02; sales cycle 1 month: auto, the mean 17.0 days from first conversion to won deal over "
            "5 deals closed from 2026-02 on)") in digest.stdout


def test_without_a_won_deal_the_default_is_used_and_said(files):  # noqa: F811
    policy, events = files
    events.write_text("".join(line + "\n" for line in events.read_text().splitlines() if "deal_closed" not in line))
    result = goals(events, policy, "--sales-cycle-months", "auto", "--format", "json")
    assert json.loads(result.stdout)["sales_cycle"] == {
        "months": 3, "setting": "auto", "computed_from_deals": 0, "mean_days": None,
        "deals_closed_from": "2026-02", "fallback": True}
    assert goals(events, policy, "--sales-cycle-months", "auto").stdout.splitlines()[0] == (
        "Marketing goal for 2027-02, learned from 2026-05 to 2026-10 (6 months; sales cycle 3 months: auto, "
        "but no won deal from a marketing lead closed from 2026-02 on; the default 3)")


def test_a_bad_value_in_the_policy_names_file_and_line(files):  # noqa: F811
    policy, events = files
    policy.write_text(AUTO.replace("sales_cycle_months: auto", "sales_cycle_months: often"))
    result = goals(events, policy)
    assert result.returncode == 2
    assert (f"{policy}:13: goals.closed_loop.sales_cycle_months: must be a whole number of months from 0 to 24, "
            "or auto (computed from the won deals), not 'often'") in result.stderr


@pytest.mark.parametrize("command", ["worker", "run"])
def test_the_live_worker_takes_auto(files, command):  # noqa: F811
    """The worker computes the cycle as `leadsla goals` does (tests/integration/test_marketing_live.py):
    the policy is taken, and the worker gets as far as the broker."""
    policy, _ = files
    policy.write_text(AUTO)
    result = leadsla(command, "--broker", "127.0.0.1:1", "--policy", str(policy))
    assert (result.returncode, result.stderr) == (
        3, "leadsla: cannot reach the Kafka broker at 127.0.0.1:1: Connection refused (set by --broker or "
           "LEADSLA_BROKER)\n")


def test_the_readme_example_is_what_the_command_prints(tmp_path, monkeypatch):
    """README, "The sales cycle computed from the data": the example, run as shown there."""
    readme = (REPO / "README.md").read_text()
    method = readme[readme.index("The method's own example: a quota of $5,000"):]
    goals_yaml = method[method.index("```yaml\n") + 8:method.index("```\n", method.index("```yaml\n"))]
    section = readme[readme.index("Example: with `closed_loop: {sales_cycle_months: auto}`"):]
    shown = section[section.index("$ leadsla goals"):section.index("…\n")].splitlines()
    example = (REPO / "models" / "example_policy.yaml").read_text()
    start, end = example.index("\ngoals:\n") + 1, example.index("\n# Rep bandwidth")
    (tmp_path / "policy.yaml").write_text(
        example[:start] + goals_yaml + "  closed_loop: {sales_cycle_months: auto}\n" + example[end:])
    lines = []
    for month in range(6, 13):  # June to December 2026; each lead's deal closes on the 3rd two months later
        closing = f"{2026 + (month + 2 > 12)}-{(month + 1) % 12 + 1:02d}-03T15:00:00Z"
        for n in range(4):
            lead = f"L-{month}-{n}"
            lines.append(record("lead_converted", f"c-{lead}", lead, f"2026-{month:02d}-03T15:00:00Z",
                                source="marketing", segment="enterprise", offer="demo-request"))
            lines.append(record("deal_closed", f"d-{lead}", lead, closing, deal_id=f"D-{lead}",
                                status="won" if n < 2 else "lost", amount=100))
    (tmp_path / "crm.jsonl").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)  # the README's relative file names

    result = leadsla(*shown[0].split()[2:])
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == shown[1]
    as_json = json.loads(leadsla(*shown[0].split()[2:], "--format", "json").stdout)
    assert as_json["sales_cycle"] == {"months": 2, "setting": "auto", "computed_from_deals": 14,
                                      "mean_days": pytest.approx(858 / 14), "deals_closed_from": "2026-03",
                                      "fallback": False}  # (10 x 61 + 4 x 62) / 14 days
    assert f'"mean_days": {as_json["sales_cycle"]["mean_days"]}' in section  # as the README shows it
