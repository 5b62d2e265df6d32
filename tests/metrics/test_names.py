"""One source of metric names: streams.metrics.names declares them, everything else imports them.

A metric renamed in one place only would leave a rule or a panel querying a series that
no longer exists, which Prometheus answers with silence, not an error.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from models.goal_report import goal_zone
from models.loop_ledger import live_window
from models.waterfall import month_to_date_counts
from streams.metrics.marketing import marketing_families
from streams.metrics.snapshot import SnapshotCollector
from prometheus_client import CollectorRegistry

from alerts.rules import window_name
from streams.metrics import names
from streams.metrics.gauges import gauge_families
from streams.metrics.pipeline import PipelineMetrics
from streams.metrics.snapshot import LiveWindows
from tests.metrics.feed import example_policy
from tests.scenarios import at

REPO = Path(__file__).resolve().parents[2]
SHIPPED = ("models", "streams", "alerts", "grafana")
NAMES_MODULE = REPO / "streams" / "metrics" / "names.py"
METRIC_NAME = re.compile(r"\bleadsla_[a-z0-9_]+")
RULE_NAME = re.compile(r"\bleadsla:[a-z0-9_:]+")
# Faust serializer registry keys, not metrics: they never reach Prometheus.
NOT_METRICS = frozenset({"leadsla_lead_state", "leadsla_lead_alerts", "leadsla_lead_loop"})


def shipped_sources() -> list[Path]:
    return sorted(path for package in SHIPPED for path in (REPO / package).rglob("*.py") if path != NAMES_MODULE)


def test_no_metric_or_rule_name_is_spelled_outside_the_names_module():
    spelled = [f"{path.relative_to(REPO)}:{number}: {found}"
               for path in shipped_sources()
               for number, line in enumerate(path.read_text().splitlines(), start=1)
               for found in METRIC_NAME.findall(line) + RULE_NAME.findall(line) if found not in NOT_METRICS]
    assert spelled == [], "import them from streams.metrics.names instead"


GENERATED = [REPO / "alerts" / "rules.yml", *sorted((REPO / "grafana" / "dashboards").glob("*.json"))]


@pytest.mark.parametrize("path", GENERATED, ids=lambda path: path.name)
def test_every_metric_a_rule_or_panel_queries_is_declared(path):
    assert set(METRIC_NAME.findall(path.read_text())) - names.declared_series() == set()


def test_every_recording_rule_name_comes_from_the_names_module():
    window = window_name(example_policy())
    declared = {names.decided_increase_rule(window), names.breached_ratio_rule(window),
                names.DEPTH_BREACHED_RATIO_RULE, names.CYCLE_RULE,
                *(names.learned_input_rule(n) for n in names.LEARNED_INPUTS),
                *(names.goal_rule(n) for n in (*names.LEARNED_INPUTS, "lead_value", "goal_leads", "goal_value",
                                               "goal_leads_to_date", "goal_value_to_date", "value_to_date",
                                               "behind"))}
    assert set(RULE_NAME.findall((REPO / "alerts" / "rules.yml").read_text())) == declared


def test_the_exported_metrics_are_exactly_the_declared_ones_with_their_help_and_labels():
    policy = example_policy()
    metrics = PipelineMetrics(CollectorRegistry(), policy=policy)
    metrics.observe_alert_delivery("http://am:9093", "ok")  # created on first use
    metrics.observe_tick(at(0))
    metrics.snapshot.publish(gauge_families([], policy, metrics, at(1), LiveWindows()))
    marketing = SnapshotCollector()  # streams.runtime.marketing registers its own
    metrics.registry.register(marketing)
    counts = month_to_date_counts([], {0: at(0)}, policy, goal_zone(policy))
    marketing.publish(marketing_families(counts, live_window([], policy, counts.today), policy))
    exported = {family.name: family for family in metrics.registry.collect()}
    declared = {metric.name.removesuffix("_total") if metric.type == names.COUNTER else metric.name: metric
                for metric in names.METRICS}
    assert set(exported) == set(declared)
    for name, family in exported.items():
        assert (family.type, family.documentation) == (declared[name].type, declared[name].help), name
        sample_labels = {label for sample in family.samples for label in sample.labels} - {"le"}
        assert sample_labels <= set(declared[name].labels), name


@pytest.mark.parametrize("module", ["streams.metrics.names", "alerts.rules", "grafana.queries", "grafana.build"])
def test_reading_the_names_does_not_import_faust(module):
    check = f"import sys, {module}; print(sorted(m for m in ('faust', 'prometheus_client') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"


def test_live_table_keys_carry_their_partition():
    key = names.partition_key("rep|with|bars", 3)
    assert names.split_partition_key(key) == ("rep|with|bars", 3)
    assert names.split_partition_key("L-000001") is None


@pytest.mark.parametrize("path", GENERATED, ids=lambda path: path.name)
def test_every_figure_and_measure_a_rule_or_panel_selects_is_declared(path):
    text = path.read_text().replace('\\"', '"')
    assert set(re.findall(r'figure="([a-z_]+)"', text)) <= set(names.CLOSED_LOOP_FIGURES)
    assert set(re.findall(r'measure="([a-z_]+)"', text)) <= set(names.REP_MEASURES)
