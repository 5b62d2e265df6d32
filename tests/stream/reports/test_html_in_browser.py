"""The HTML report opened in headless Chromium: one self-contained page whose tables and
charts show the figures worked out by hand in tests/pure/report_period.py."""

from __future__ import annotations

import re
import struct

import pytest

from streams.cli import main
from tests.pure.report_period import LINES
from tests.stream.reports.browser import Elements, dump_dom, screenshot


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    (folder / "events.jsonl").write_text("\n".join(LINES) + "\n")
    output = folder / "report.html"
    assert main(["report", "--from", "2026-10-30", "--to", "2026-11-03", "--events", str(folder / "events.jsonl"),
                 "--output", str(output)]) == 0
    return output


@pytest.fixture(scope="module")
def dom(page, tmp_path_factory):
    return Elements(dump_dom(page, tmp_path_factory.mktemp("chromium")))


def test_the_page_is_self_contained(page):
    html = page.read_text()
    assert "<script" not in html and "<link" not in html and "<img" not in html
    assert re.findall(r'(?:src|href)="', html) == []
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {"http://www.w3.org/2000/svg"}  # a namespace, not a fetch
    assert "@media print" in html


def test_tables_show_the_figures(dom):
    teams = {row[0]: row for row in dom.tables["speed-teams"][1:]}
    assert dom.tables["speed-teams"][0][:5] == ["team", "decided", "met", "breached", "within target"]
    assert teams["inbound-east"][1:5] == ["3", "2", "1", "66.7%"]
    assert teams["inbound-east"][7:11] == ["2h", "2d17h50m", "50m", "2h"]  # median, p90; business median, p90
    breaches = {row[0]: row for row in dom.tables["breaches"][1:]}
    assert breaches["D"][5:9] == ["Sat 2026-10-31 11:00 EDT", "Mon 2026-11-02 09:15 EST", "none by the end",
                                  "≥ 1d14h45m"]
    assert dom.tables["depth-teams"][1] == ["inbound-west", "2", "1", "50.0%", "2.0", "6.0"]


def test_speed_chart_draws_median_and_p90_against_the_target(dom):
    assert dom.find("svg", **{"class": "chart speed", "data-segment": "mid-market"})
    points = {(p["data-series"], p["data-day"]): float(p["data-seconds"]) for p in dom.find("circle")
              if "data-series" in p}  # the waterfalls' goal points are circles too
    # Fri: B 1800 s and C 7200 s on the business clock; Mon: A 3000 s.
    assert points == {("median", "2026-10-30"): 4500, ("p90", "2026-10-30"): 7200,
                      ("median", "2026-11-02"): 3000, ("p90", "2026-11-02"): 3000}
    targets = {float(line["data-target-seconds"]) for line in dom.find("line", **{"class": "target"})
               if "data-target-seconds" in line}
    assert targets == {900, 3600}  # enterprise-demo 15m, mid-market 1h


def test_depth_chart_draws_attempts_against_the_target(dom):
    assert dom.find("svg", **{"class": "chart depth"})
    [bar] = dom.find("rect", **{"class": "attempts"})
    assert (bar["data-team"], float(bar["data-attempts"])) == ("inbound-west", 2.0)
    [mark] = [m for m in dom.find("line", **{"class": "target"}) if "data-team" in m]
    assert float(mark["data-target"]) == 6


def test_the_browser_draws_the_page(page, tmp_path):
    png = screenshot(page, tmp_path / "report.png", tmp_path / "profile")
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == (1200, 1800)
    assert png.stat().st_size > 20_000  # charts and tables, not a blank page
