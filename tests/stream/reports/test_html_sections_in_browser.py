"""The HTML report's marketing waterfall, policy versions and what-if, opened in headless Chromium:
the period with a policy change (tests/stream/commands/policy_change.py) under its history of
versions and, side by side, under the relaxed policy. Expected figures are counted here from
the events themselves."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime

import pytest

from streams.cli import main
from tests.pure.report_period import NEW_YORK
from tests.stream.commands.policy_change import CHANGE_LINES, write_events, write_history, write_relaxed
from tests.stream.reports.browser import Elements, dump_dom


@pytest.fixture(scope="module")
def dom(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sections")
    output = folder / "report.html"
    assert main(["report", "--from", "2026-10-30", "--to", "2026-11-03", "--events", str(write_events(folder)),
                 "--policy", str(write_history(folder)), "--what-if", str(write_relaxed(folder)),
                 "--output", str(output)]) == 0
    return Elements(dump_dom(output, tmp_path_factory.mktemp("chromium")))


def marketing_conversions_per_day() -> Counter:
    """Marketing leads by the New York day of their first conversion, from the raw lines."""
    first: dict[str, str] = {}
    for line in CHANGE_LINES:
        event = json.loads(line)
        if event["kind"] == "lead_converted" and event["source"] == "marketing":
            first[event["lead_id"]] = min(first.get(event["lead_id"], event["occurred_at"]), event["occurred_at"])
    return Counter(datetime.fromisoformat(at).astimezone(NEW_YORK).date() for at in first.values())


def test_the_waterfall_draws_cumulative_leads_day_by_day(dom):
    [chart] = dom.find("svg", **{"class": "chart waterfall", "data-group": "total", "data-month": "2026-10"})
    assert chart["data-unit"] == "leads"
    drawn = {bar["data-day"]: float(bar["data-cumulative"])
             for bar in dom.find("rect", **{"class": "actual", "data-group": "total"})
             if bar["data-day"].startswith("2026-10")}
    per_day, running, expected = marketing_conversions_per_day(), 0, {}
    for n in range(1, 32):
        running += per_day[date(2026, 10, n)]
        expected[f"2026-10-{n:02d}"] = running
    assert drawn["2026-10-31"] == expected["2026-10-31"] == 7  # A, B, C, D, E, F, G
    assert drawn == expected
    # A group whose goal the closed loop cannot give yet (no deal) has its row, not a chart.
    assert not dom.find("svg", **{"class": "chart waterfall", "data-group": "mid-market"})


def test_the_goal_line_is_g_over_n_per_day(dom):
    goal = 600_000 * 0.7 / 3_000 / 0.12  # the example's smb group, inputs typed in
    points = {c["data-day"]: float(c["data-goal"])
              for c in dom.find("circle", **{"class": "goal", "data-group": "smb"})}
    assert points["2026-10-31"] == pytest.approx(goal)
    assert points["2026-11-03"] == pytest.approx(goal * 3 / 30)
    assert len([d for d in points if d.startswith("2026-11")]) == 30  # the whole month's line


def test_attainment_table(dom):
    rows = {(r[0], r[1]): r for r in dom.tables["marketing"][1:]}
    assert rows[("mid-market", "2026-10")][4] == "6"
    assert rows[("smb", "2026-11")][5:7] == ["117", "0.0%"]  # 1,166.7 x 3 / 30 due, none came


def test_versions_and_what_if_tables(dom):
    versions = {r[0]: r for r in dom.tables["versions"][1:]}
    assert versions["2026-01-01.yaml"][3] == "4" and versions["2026-11-02-slower-mid-market.yaml"][3] == "1"
    east = next(r for r in dom.tables["what-if-teams"][1:] if r[0] == "inbound-east")
    assert east[1:] == ["4", "3", "75.0%", "4", "4", "100.0%", "+25.0 pts"]  # only C changes now: K was met
    assert [r[0] for r in dom.tables["what-if-changes"][1:]] == ["C"]
