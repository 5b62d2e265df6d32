"""``leadsla digest``: a day of the hand-built period of tests/pure/report_period.py, printed
and posted to a local webhook receiver as a Slack-compatible ``{"text": ...}``."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timezone

import pytest

from streams.cli import main
from streams.commands.digest_command import default_day
from streams.kafka.broker import free_port
from tests.harness import REPO
from tests.pure.events import example_policy
from tests.pure.report_period import LINES
from tests.stream.reports.browser import dump_dom
from tools.local.webhook_sink import WebhookSink


@pytest.fixture
def events(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(LINES) + "\n")
    return path


def digest(capsys, *args) -> tuple[int, str, str]:
    code = main(["digest", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_friday_both_teams_and_the_worst_breach(capsys, events):
    code, out, _ = digest(capsys, "--date", "2026-10-30", "--events", str(events))
    assert code == 0
    assert out.startswith("*Lead SLA digest for Fri 2026-10-30* (America/New_York)")
    assert "*Sales speed*: 1 of 2 leads within target (50.0%), median 1h15m to first contact" in out
    # F's and G's follow-up periods ended that evening (inbound-west): F short of the target.
    assert "*inbound-west*: speed no lead decided; depth 1 of 2 follow-up periods within target (50.0%)" in out
    assert "*inbound-east*: speed 1 of 2 leads within target (50.0%)" in out
    assert "- breached: C (rep-b, mid-market) contacted 1h late" in out


def test_monday_names_the_lead_nobody_called(capsys, events):
    _, out, _ = digest(capsys, "--date", "2026-11-02", "--events", str(events))
    assert "*enterprise*: speed 0 of 1 leads within target (0.0%)" in out
    assert "- breached: D (rep-c, enterprise-demo) no contact, 14h45m past the deadline by the day's end" in out
    assert "*inbound-east*: speed 1 of 1 leads within target (100.0%), median 2d17h50m" in out


def test_posted_to_a_webhook_as_slack_takes_it(capsys, events):
    with WebhookSink() as sink:
        code, out, err = digest(capsys, "--date", "2026-11-02", "--events", str(events), "--post", sink.url)
        assert code == 0
        assert sink.bodies() == [{"text": out}]
    assert f"posted the digest to {sink.url}" in err


def test_a_webhook_that_cannot_be_reached_is_a_message_and_exit_3(events):
    url = f"http://127.0.0.1:{free_port()}/hook"
    result = subprocess.run([sys.executable, "-m", "streams.cli", "digest", "--date", "2026-11-02", "--events",
                             str(events), "--post", url], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 3
    assert f"cannot post to the webhook at {url}" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_default_day_is_yesterday_in_the_reporting_time_zone():
    # 01:00 UTC on 3 Nov is still 2 Nov (20:00 EST) in New York: yesterday there is 1 Nov.
    assert default_day(example_policy(), datetime(2026, 11, 3, 1, tzinfo=timezone.utc)) == date(2026, 11, 1)
    assert default_day(example_policy(), datetime(2026, 11, 3, 6, tzinfo=timezone.utc)) == date(2026, 11, 2)


def test_marketing_pace_against_the_goal_line(capsys, events):
    _, out, _ = digest(capsys, "--date", "2026-10-30", "--events", str(events))
    # The example's smb group types its inputs: 600,000 x 0.7 / 3,000 / 0.12 leads a month; by
    # the end of 30 Oct, 30/31 of it is due. No smb lead converted.
    due = 600_000 * 0.7 / 3_000 / 0.12 * 30 / 31
    assert f"*Marketing*: smb 0 leads of {due:,.0f} due by today (0.0% of the goal line, 2026-10)" in out


def test_html_digest_posted_to_a_generic_webhook_and_read_in_a_browser(capsys, events, tmp_path):
    with WebhookSink() as sink:
        code, out, _ = digest(capsys, "--date", "2026-11-02", "--events", str(events), "--format", "html",
                              "--post", sink.url)
        assert code == 0
        [body] = sink.bodies()
    assert body["html"] == out and body["text"].startswith("*Lead SLA digest for Mon 2026-11-02*")
    page = tmp_path / "digest.html"
    page.write_text(out)
    dom = dump_dom(page, tmp_path / "profile")
    assert "<h1>Lead SLA digest for Mon 2026-11-02 (America/New_York)</h1>" in dom
    assert ("<li>breached: D (rep-c, enterprise-demo) no contact, 14h45m past the deadline by the day's end</li>"
            in dom)
    assert "<b>enterprise</b>: speed 0 of 1 leads within target (0.0%)" in dom
