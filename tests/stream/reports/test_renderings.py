"""What a CRM put in a lead id or a team name cannot change the page or break a table."""

from __future__ import annotations

from models.report import Period, build_report
from streams.commands.evaluation import evaluate
from streams.reports.html_page import report_html
from streams.reports.markdown import report_markdown
from tests.pure.events import attempt, converted, example_policy, handoff, as_json_line
from tests.pure.report_period import FIRST_DAY, LAST_DAY, ny

LEAD, TEAM = "<img>|x", "Team <u>|"


def _report():
    events = [converted(ny(10, 30, 10), LEAD, segment="mid-market", offer=None),
              handoff(ny(10, 30, 10), LEAD, rep="rep-a", team=TEAM),
              attempt(ny(10, 30, 12), LEAD, rep="rep-a")]
    policy = example_policy()
    outcomes = evaluate([as_json_line(e) for e in events], policy).outcomes
    return build_report(outcomes, policy, Period(FIRST_DAY, LAST_DAY, "America/New_York"))


def test_html_escapes_what_the_crm_wrote():
    html = report_html(_report())
    assert "<img>" not in html and "<u>" not in html
    assert "&lt;img&gt;|x" in html and "Team &lt;u&gt;|" in html


def test_markdown_keeps_table_cells_apart():
    text = report_markdown(_report())
    assert "| \\<img>\\|x |" not in text  # only pipes are escaped
    assert "| <img>\\|x | 1 | Team <u>\\| | rep-a |" in text
