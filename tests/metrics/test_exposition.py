"""The exposition a scrape gets: lint-clean for promtool, and never a lead id in a label."""

from __future__ import annotations

import re
import subprocess

from prometheus_client import generate_latest

from streams.metrics.gauges import gauge_families
from streams.metrics.snapshot import LiveWindows
from tests.metrics.feed import Feed
from tests.scenarios import at, four_leads


def exposition() -> str:
    feed = Feed()
    feed.events(four_leads())
    feed.watermark_to(at(20 * 24 * 60))
    windows = LiveWindows()
    windows.rep_attempts.update({"rep-ent-1": 2})
    feed.metrics.snapshot.publish(gauge_families(feed.leads.values(), feed.policy, feed.metrics, at(20 * 24 * 60),
                                                 windows))
    return generate_latest(feed.registry).decode()


def test_promtool_check_metrics_finds_nothing():
    check = subprocess.run(["promtool", "check", "metrics"], input=exposition(), capture_output=True, text=True)
    assert (check.returncode, check.stdout + check.stderr) == (0, "")


def test_lead_ids_never_become_label_values():
    text = exposition()
    assert not [value for value in re.findall(r'="([^"]*)"', text) if value.startswith("L-")]
