"""A goal group that prices its leads by type (`lead_values`), as a user meets it in `leadsla goals`,
`leadsla report` and `leadsla digest`: each lead counts its own value.

The events are test_goals_cli's (two demo requests a month from August 2026 to January 2027 but October,
one of them won for 100), and three February 2027 leads: a demo request on the 3rd, an ebook on the 4th
and a podcast (an offer the table does not list: the group's lead_value, 10) on the 5th.
The group `priced` takes every marketing lead: a demo request is worth 100, an ebook 30, any other 10.
  goals for February (no sales cycle): each window month but October 2 x 100 = 200, October 0;
  the goal in value is 5,000 x share 1 = 5,000;
  February to the 10th: 100 + 30 + 10 = 140, against 5,000 x 10 / 28 = 1,785.7 (7.8%).
"""

from __future__ import annotations

import json

import pytest

from tests.stream.commands.test_cli_failures import leadsla
from tests.stream.commands.test_goals_cli import MONTHS, POLICY, month_of_events, record

PRICED = POLICY.replace("    - {name: ebooks, select: {offer: ebook}, mode: value, lead_value: 30}\n", """\
    - name: priced
      mode: value
      lead_value: 10
      lead_values:
        offer: {demo-request: 100, ebook: 30}
""")
FEBRUARY = [record("lead_converted", f"c-{lead}", lead, at, source="marketing", segment="smb", offer=offer)
            for lead, at, offer in [("F1", "2027-02-03T15:00:00Z", "demo-request"),
                                    ("F2", "2027-02-04T15:00:00Z", "ebook"),
                                    ("F3", "2027-02-05T15:00:00Z", "podcast")]]


@pytest.fixture
def files(tmp_path):
    policy, events = tmp_path / "policy.yaml", tmp_path / "events.jsonl"
    assert PRICED != POLICY, "test setup: the group to replace is not in the policy"
    policy.write_text(PRICED)
    lines = [line for year, month in MONTHS for line in month_of_events(year, month)] + FEBRUARY
    events.write_text("\n".join(lines) + "\n")
    return policy, events


def test_goals_shows_what_each_window_months_leads_were_worth(files):
    policy, events = files
    args = ("goals", "--month", "2027-02", "--events", str(events), "--policy", str(policy))
    priced = json.loads(leadsla(*args, "--format", "json").stdout)["groups"][1]
    assert [m["value"] for m in priced["months"]] == [200, 200, 0, 200, 200, 200]
    assert (priced["lead_values"], priced["lead_value"], priced["goal_value"]) == (
        {"offer": {"demo-request": 100, "ebook": 30}}, 10, 5000)
    table = leadsla(*args).stdout
    assert next(line for line in table.splitlines() if line.startswith("priced ")).split()[-6:] == [
        "by", "offer,", "else", "10", "100", "5,000"]
    months = table[table.index("priced by month"):].splitlines()
    assert months[1].split()[-1] == "value" and months[2].split() == [
        "2026-08", "2", "1", "50.0%", "100", "100.0%", "200"]


def test_report_and_digest_add_each_leads_own_value(files):
    policy, events = files
    report = leadsla("report", "--from", "2027-02-01", "--to", "2027-02-10", "--events", str(events),
                     "--policy", str(policy), "--format", "json")
    assert report.returncode == 0, report.stderr
    priced = next(g for g in json.loads(report.stdout)["marketing"]["groups"] if g["group"] == "priced")
    assert [d["value"] for d in priced["days"]] == [0, 0, 100, 130, 140, 140, 140, 140, 140, 140]
    assert priced["value"] == 140 and priced["goal_value_to_date"] == pytest.approx(5000 * 10 / 28)
    digest = leadsla("digest", "--date", "2027-02-10", "--events", str(events), "--policy", str(policy))
    assert digest.returncode == 0, digest.stderr
    assert "*Marketing*: priced 140 of 1,786 value due by today (7.8% of the goal line, 2027-02)" in digest.stdout


def test_a_table_pricing_an_unknown_offer_is_refused_naming_file_and_line(files):
    policy, events = files
    policy.write_text(PRICED.replace("{demo-request: 100, ebook: 30}", "{demo-request: 100, e-book: 30}"))
    result = leadsla("goals", "--month", "2027-02", "--events", str(events), "--policy", str(policy))
    assert result.returncode == 2  # and no traceback (leadsla checks)
    assert result.stderr.startswith(f"{policy}:21: goals.groups[1].lead_values.offer.e-book: no lead can "
                                    "have it: 'e-book' is not an offer this policy knows (known: demo-request, ebook)")
