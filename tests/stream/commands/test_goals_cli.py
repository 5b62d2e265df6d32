"""``leadsla goals`` end to end on a JSONL file, as a user runs it: the method's numbers in JSON,
a table for people, and mistakes reported without a traceback."""

from __future__ import annotations

import json

import pytest

from models.closed_loop import Month
from models.goal_report import closed_loop_book
from models.policy_file import parse_policy
from streams.commands.goals_command import read_into
from tests.harness import REPO
from tests.stream.commands.test_cli_failures import leadsla

POLICY = """\
version: 1
default_calendar: office
calendars:
  office: {timezone: America/New_York, hours: {mon: ["09:00-17:00"]}}
segments:
  - name: demos
    match: {source: marketing, offer: demo-request}
    speed_to_lead: {target: 15m}
  - name: rest
    speed_to_lead: {target: 4h}
goals:
  monthly_quota: 5000
  closed_loop: {window_months: 6, sales_cycle_months: 0}
  known_values: {offer: [ebook]}
  groups:
    - {name: demos, select: {policy_segment: demos}}
    - {name: ebooks, select: {offer: ebook}, mode: value, lead_value: 30}
"""
# February 2027, no sales cycle, 6 months: August 2026 to January 2027, across the year end.
# Each month but October: 2 demo requests, one becomes a customer with a deal of 100 closed the same
# month, and that is all the revenue won that month. October has no lead and no deal: it has no close
# rate, deal size or share, and is left out of the means (counted as 0 it would make the close rate 5/12).
# So: close rate 1/2, deal size 100, marketing share 1, and with a quota of 5,000 the method's own example:
# 5000 x 1 / 100 / 0.5 = 100 leads, 5,000 in value.
MONTHS = [(2026, 8), (2026, 9), (2026, 11), (2026, 12), (2027, 1)]


def record(kind: str, event_id: str, lead_id: str, at: str, **fields) -> str:
    return json.dumps({"schema_version": 1, "kind": kind, "event_id": event_id, "lead_id": lead_id,
                       "occurred_at": at, **fields})


def month_of_events(year: int, month: int) -> list[str]:
    stamp = f"{year}-{month:02d}"
    won, other = f"L-{stamp}-a", f"L-{stamp}-b"
    return [
        record("lead_converted", f"c-{won}", won, f"{stamp}-03T15:00:00Z", source="marketing", segment="smb",
               offer="demo-request"),
        record("lead_converted", f"c-{other}", other, f"{stamp}-04T15:00:00Z", source="marketing", segment="smb",
               offer="demo-request"),
        record("handoff", f"h-{won}", won, f"{stamp}-03T15:05:00Z", owner_rep="rep-1", team="east"),
        record("deal_closed", f"d-{won}", won, f"{stamp}-20T15:00:00Z", deal_id=f"D-{stamp}", status="won",
               amount=100),
    ]


@pytest.fixture
def files(tmp_path):
    policy, events = tmp_path / "policy.yaml", tmp_path / "events.jsonl"
    policy.write_text(POLICY)
    events.write_text("\n".join(line for year, month in MONTHS for line in month_of_events(year, month)) + "\n")
    return policy, events


def test_goals_as_json_gives_the_methods_numbers_per_group_and_in_total(files):
    policy, events = files
    result = leadsla("goals", "--month", "2027-02", "--events", str(events), "--policy", str(policy),
                     "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["month"] == "2027-02" and report["sales_cycle_months"] == 0
    assert report["window"] == ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]
    demos, ebooks = report["groups"]
    assert (demos["name"], demos["close_rate"], demos["average_deal_size"], demos["marketing_share"]) == (
        "demos", 0.5, 100, 1)
    assert (demos["leads"], demos["customers"]) == pytest.approx((10 / 6, 5 / 6))  # monthly means, October's 0 in
    assert demos["goal_leads"] == pytest.approx(100) and demos["goal_value"] == pytest.approx(5000)
    assert demos["lead_value"] == pytest.approx(50)
    october = demos["months"][2]
    assert (october["month"], october["leads"], october["close_rate"], october["average_deal_size"]) == (
        "2026-10", 0, None, None)
    assert (ebooks["lead_value"], ebooks["marketing_share"], ebooks["goal_leads"], ebooks["goal_value"]) == (
        30, 0, None, 0)  # no ebook lead ever won: marketing share 0, no finite goal in leads
    assert report["total"]["goal_leads"] == pytest.approx(100)
    assert result.stderr == 'read {"conversions": 10, "deals": 5, "other_events": 5, "rejected": 0}\n'


def test_the_window_and_cycle_flags_move_the_window(files):
    policy, events = files
    result = leadsla("goals", "--month", "2027-03", "--events", str(events), "--policy", str(policy),
                     "--format", "json", "--sales-cycle-months", "1", "--window-months", "7")
    report = json.loads(result.stdout)
    assert report["window"] == ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]
    assert report["sales_cycle_months"] == 1
    assert report["total"]["goal_leads"] == pytest.approx(100)  # July and October hold nothing: left out


def test_goals_as_a_table_shows_each_group_and_its_months(files):
    policy, events = files
    result = leadsla("goals", "--month", "2027-02", "--events", str(events), "--policy", str(policy))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == ("Marketing goal for 2027-02, learned from 2026-08 to 2027-01 (6 months; "
                        "sales cycle 0 months)")
    demos = next(line for line in lines if line.startswith("demos "))
    assert demos.split() == ["demos", "closed", "loop", "count", "1.7", "0.8", "50.0%", "100", "100.0%",
                             "50", "100", "5,000"]
    assert "2026-10      0          0           —          —      —" in result.stdout


def test_a_rejected_record_is_reported_and_the_status_says_so(files):
    policy, events = files
    with events.open("a") as out:
        out.write(record("deal_closed", "d-bad", "L-x", "2026-08-20T15:00:00Z", deal_id="D-x", status="won",
                         amount="100") + "\n")
    result = leadsla("goals", "--month", "2027-02", "--events", str(events), "--policy", str(policy),
                     "--format", "json")
    assert result.returncode == 1
    assert f'{events}:21: rejected: invalid_field: amount: Input should be a valid number, not the string "100"' \
        in result.stderr
    assert json.loads(result.stdout)["total"]["goal_leads"] == pytest.approx(100)  # still reported
    allowed = leadsla("goals", "--month", "2027-02", "--events", str(events), "--policy", str(policy),
                      "--allow-rejects")
    assert allowed.returncode == 0


@pytest.mark.parametrize("args, message", [
    (["--month", "2027-13"], "argument --month: '2027-13' is not a month: write YYYY-MM, e.g. 2027-03"),
    (["--month", "2027-02", "--window-months", "3"], "argument --window-months: must be from 6 to 12, not '3'"),
    (["--month", "2027-02", "--sales-cycle-months", "x"],
     "argument --sales-cycle-months: must be a whole number of months from 0 to 24, or auto (computed from the "
     "won deals), not 'x'"),
    (["--month", "2027-02", "--sales-cycle-months", "25"],
     "argument --sales-cycle-months: must be a whole number of months from 0 to 24, or auto (computed from the "
     "won deals), not '25'"),
], ids=["month", "window", "cycle", "cycle-too-long"])
def test_a_bad_flag_is_refused_naming_it(files, args, message):
    policy, events = files
    result = leadsla("goals", *args, "--events", str(events), "--policy", str(policy))
    assert result.returncode == 2
    assert result.stderr.strip().endswith(message)


def test_a_missing_events_file_is_named(tmp_path):
    result = leadsla("goals", "--month", "2027-02", "--events", str(tmp_path / "none.jsonl"))
    assert (result.returncode, result.stderr) == (
        2, f"leadsla: cannot read the events file {tmp_path / 'none.jsonl'}: No such file or directory\n")


def test_a_policy_without_any_goal_says_what_to_add(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY.split("goals:")[0])
    result = leadsla("goals", "--month", "2027-02", "--events", "-", "--policy", str(policy), stdin="")
    assert result.returncode == 2
    assert result.stderr.startswith("leadsla: the policy sets no goal: add a goals section with monthly_quota")


def test_records_from_the_topics_take_their_kind_from_the_topic():
    conversion = json.loads(month_of_events(2026, 8)[0])
    deal = json.loads(month_of_events(2026, 8)[3])
    del conversion["kind"], deal["kind"]  # on a topic the kind may be left out
    book = closed_loop_book(parse_policy(POLICY), Month(2027, 2))
    reading = read_into(book, [("leadsla.lead-conversions[3]@0", json.dumps(conversion).encode(), "lead_converted"),
                               ("leadsla.deals[3]@0", json.dumps(deal).encode(), "deal_closed"),
                               ("leadsla.deals[3]@1", json.dumps(conversion).encode(), "deal_closed")])
    assert (reading.conversions, reading.deals) == (1, 1)
    assert reading.rejected[0][0] == "leadsla.deals[3]@1" and reading.rejected[0][1].startswith("invalid_field")
    assert list(book.leads) == ["L-2026-08-a"] and list(book.deals) == ["D-2026-08"]


def test_the_readme_example_is_what_the_command_prints(tmp_path, monkeypatch):
    """README, "Marketing goals: the closed loop": the method's example, run as shown there."""
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("The method's own example: a quota of $5,000"):]
    goals_yaml = section[section.index("```yaml\n") + 8:section.index("```\n", section.index("```yaml\n"))]
    shown = section[section.index("$ leadsla goals"):section.index("…\n```")].splitlines()
    example = (REPO / "models" / "example_policy.yaml").read_text()
    start = example.index("\ngoals:\n") + 1
    end = example.index("\n# Rep bandwidth")
    policy = tmp_path / "policy.yaml"
    policy.write_text(example[:start] + goals_yaml + example[end:])
    lines = []
    for month in range(6, 12):
        for n in range(4):
            lead = f"L-{month}-{n}"
            lines.append(record("lead_converted", f"c-{lead}", lead, f"2026-{month:02d}-05T15:00:00Z",
                                source="marketing", segment="enterprise", offer="demo-request"))
            lines.append(record("deal_closed", f"d-{lead}", lead, f"2026-{month:02d}-20T15:00:00Z",
                                deal_id=f"D-{lead}", status="won" if n < 2 else "lost", amount=100))
    events = tmp_path / "crm.jsonl"
    events.write_text("\n".join(lines) + "\n")

    monkeypatch.chdir(tmp_path)  # the README's relative file names
    result = leadsla(*shown[0].split()[2:])

    assert result.returncode == 0, result.stderr
    assert len(shown) == 10 and "goal leads" in shown[3] and shown[4].split()[-2:] == ["100", "5,000"]
    assert result.stdout.splitlines()[:len(shown) - 1] == shown[1:]
