"""The dashboards against the real thing: a real Prometheus scraping a worker fed with
simulated traffic on a real broker, and every panel's query run through its HTTP API.

One simulated run is shared by the module's tests (it is the slow part). The run is
``leadsla run --simulate`` (worker + simulator on the 60x demo clock) plus one
contacted lead in each policy segment, so each per-segment panel has data.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from alerts.generate import rules_text
from grafana import queries as q
from grafana.build import dashboards
from models.goal_report import closed_loop_window
from streams.metrics import names
from streams.kafka.admin import ensure_topics
from streams.kafka.broker import free_port
from streams.runtime.clock import demo_clock
from streams.runtime.policy_source import load_policy
from streams.runtime.settings import Settings
from streams.runtime.topology import topic_specs
from tests.harness import has_numbers, wait_for
from tools.local.prometheus import LocalPrometheus, PrometheusError
from tools.previews.demo_run import demo_leads, produce_broken_record, produce_events, run_env, start_simulated_run
from tools.previews.rendering import panel_specs, render, resolved

pytestmark = pytest.mark.broker

WINDOW = "10m"  # longer than the run: every rate covers all of it
RUN_LIMIT_S = 240  # the run stops itself by then, whatever happens to the test
# Metrics another extension owns that exist only once it is configured (alert delivery).
OPTIONAL_METRICS = ("leadsla_alert_deliveries_total",)


@dataclass
class Observed:
    prometheus: LocalPrometheus
    metrics_url: str
    boards: dict[str, dict]
    workdir: Path

    def scrape(self) -> str:
        with urllib.request.urlopen(self.metrics_url, timeout=5) as answer:
            return answer.read().decode()


def failing_queries(observed: Observed) -> list[str]:
    """Every panel query that errors or returns no data, as 'dashboard / panel: why'."""
    exposed = observed.scrape()
    failures = []
    for stem, board in observed.boards.items():
        for spec in panel_specs(board):
            for query in spec.queries:
                if any(name in query.expr and name not in exposed for name in OPTIONAL_METRICS):
                    continue
                try:
                    if not has_numbers(observed.prometheus.query(resolved(query.expr, WINDOW))):
                        failures.append(f"{stem} / {spec.title}: no data for {query.expr}")
                except PrometheusError as error:
                    failures.append(f"{stem} / {spec.title}: {error} in {query.expr}")
    return failures


@pytest.fixture(scope="module")
def observed(kafka_bootstrap: str, tmp_path_factory) -> Observed:
    workdir = tmp_path_factory.mktemp("e2e-dashboards")
    token = uuid.uuid4().hex[:8]
    settings = Settings(broker=kafka_bootstrap, app_id=f"e2e-dash-{token}", topic_prefix=f"e2e-dash-{token}",
                        partitions=4, tick_interval_s=0.5, metrics_port=free_port())
    ensure_topics(settings.bootstrap, topic_specs(settings))
    env = run_env(settings, workdir)
    policy = load_policy(None)
    # The generated rules too: the marketing panels read the goal they compute from every worker's sums.
    with LocalPrometheus([f"127.0.0.1:{settings.metrics_port}"], workdir / "prometheus",
                         rules=rules_text(policy)) as prometheus:
        clock = demo_clock(60.0)  # the run's clock starts now too (same week, same speed)
        run = start_simulated_run(settings.bootstrap, env, workdir, RUN_LIMIT_S)
        try:
            # Prometheus must see the policy's series at 0 before the covering leads count, or
            # they are born at 1 and increase() and rate() find nothing to show.
            wait_for(prometheus.scraped_up, bool, timeout_s=60)
            produce_events(settings.bootstrap, settings.topics, demo_leads(policy, clock.now()))
            produce_broken_record(settings.bootstrap, settings.topics)
            found = Observed(prometheus, f"http://127.0.0.1:{settings.metrics_port}/metrics",
                             dashboards(policy), workdir)
            wait_for(lambda: _ready(found), bool, timeout_s=150, every_s=3)
            yield found
        finally:
            run.terminate()
            run.wait(timeout=30)


def _ready(observed: Observed) -> bool:
    try:
        return not failing_queries(observed)
    except OSError:  # the worker's endpoint is not up yet
        return False


def test_every_panel_query_runs_on_prometheus_and_returns_data(observed):
    failures = failing_queries(observed)
    assert not failures, "\n".join(failures) + "\n" + (observed.workdir / "run.log").read_text()[-3000:]


def test_scraped_metrics_pass_promtool_check(observed):
    exposition = observed.scrape()
    check = subprocess.run(["promtool", "check", "metrics"], input=exposition, capture_output=True, text=True)
    assert (check.returncode, check.stdout + check.stderr) == (0, "")
    assert "leadsla_leads_decided_total{" in exposition


def test_no_label_ever_carries_a_lead_id(observed):
    exposition = observed.scrape()
    label_values = set(re.findall(r'="([^"]*)"', exposition))
    assert not [v for v in label_values if v.startswith("L-")]
    assert "rep-cover-0" in label_values  # reps are labels (bounded), leads are not


def value_once_at_least(observed: Observed, expr: str, least: float, timeout_s: float = 30) -> float:
    """``expr``'s value once it reaches ``least`` (else its last): the covering leads are called
    a demo minute after their handoff, and live tables reach the gauges at the next commit."""
    def value() -> float:
        found = observed.prometheus.query(expr)
        return float(found[0]["value"][1]) if found else float("nan")
    return wait_for(value, lambda v: v >= least, timeout_s=timeout_s)


def test_live_tables_are_read_into_gauges(observed):
    def most(expr: str, least: float = 0) -> float:
        return value_once_at_least(observed, f"max_over_time(({expr})[{WINDOW}:2s])", least)

    assert most("sum(leadsla_live_day_lead_attempts)", 6) >= 6  # at least the covering leads' calls today
    assert most("sum(leadsla_live_hour_contacted_leads)", 1) >= 1
    assert most("sum(leadsla_live_day_rep_attempts)") == most("sum(leadsla_live_day_lead_attempts)")


def test_both_sides_of_the_agreement_show_numbers_a_manager_can_read(observed):
    prometheus = observed.prometheus
    met = value_once_at_least(observed, 'sum(leadsla_leads_decided_total{result="met"})', 6)
    decided = float(prometheus.query('sum(leadsla_leads_decided_total)')[0]["value"][1])
    assert decided >= 6 and 6 <= met <= decided  # the covering leads were all called in time
    goal = {r["metric"]["group"]: float(r["value"][1])
            for r in prometheus.query(f"max by (group) ({names.goal_rule('goal_leads')})")}
    # smb's inputs are typed into the policy; the others are learned from the demo's year of deals.
    assert set(goal) == {"enterprise-demos", "enterprise-content", "mid-market", "smb", "total"}
    assert goal["smb"] == pytest.approx(600_000 * 0.7 / 3000 / 0.12)
    actual = prometheus.query(f'sum({names.GROUP_LEADS.name}{{group="total"}})')
    assert float(actual[0]["value"][1]) >= 3  # at least the covering marketing leads
    targets = json.dumps(observed.boards["speed-to-lead"])
    assert "vector(900)" in targets and "enterprise-demo: target 15m (business hours)" in targets


def test_the_sales_cycle_panels_show_the_cycle_every_worker_uses(observed):
    def values(expr: str) -> list[float]:
        return [float(r["value"][1]) for r in observed.prometheus.query(expr)]

    setting = closed_loop_window(load_policy(None)).sales_cycle_months  # the example policy's number
    assert values(q.sales_cycle_per_worker()) == values(q.sales_cycle_agreed()) == [setting]
    assert values(q.sales_cycles_in_use()) == [1]  # one worker: it agrees with itself


def test_previews_render_every_panel_with_data(observed, tmp_path):
    end, exposed = time.time(), observed.scrape()
    for stem, board in observed.boards.items():
        empty = render(board, observed.prometheus, tmp_path / f"{stem}.png", start=end - 120, end=end,
                       window=WINDOW)
        optional = [title for title in empty if "Alert deliveries" in title and OPTIONAL_METRICS[0] not in exposed]
        assert empty == optional, f"{stem}: panels without data: {empty}"
        assert (tmp_path / f"{stem}.png").stat().st_size > 20_000  # a real picture, not a blank canvas
