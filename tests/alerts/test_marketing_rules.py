"""The generated marketing rules, evaluated by promtool on two workers' figures: a group that prices its
leads by type follows the workers' summed values, and with `sales_cycle_months: auto` the goal is
learned only while every worker uses the same sales cycle (else a warning says why there is none)."""

from __future__ import annotations

import yaml

from alerts.generate import rules_text
from grafana import queries as q
from models.policy_file import parse_policy
from tests.alerts.policies import FAST_POLICY
from tests.alerts.test_generated import run, tool

POLICY = FAST_POLICY + """
goals:
  monthly_quota: 100000
  closed_loop: {window_months: 6, sales_cycle_months: auto}
  known_values: {segment: [web], offer: [demo, ebook]}
  groups:
    - name: web
      select: {segment: web}
      mode: value
      lead_value: 10
      lead_values:
        offer: {demo: 100, ebook: 30}
  pace: {behind_by: 0.1, after_day: 1, lasting: 0s}
"""


def series(name: str, instance: str, value: float, **labels: str) -> dict:
    shown = ",".join(f'{k}="{v}"' for k, v in {"instance": instance, **labels}.items())
    return {"series": f"{name}{{{shown}}}", "values": f"{value}+0x30"}


def worker(instance: str, cycle: int, leads: int, customers: int, value: float) -> list[dict]:
    """One worker's export: its cycle, one window month of group web, and the month to date."""
    figures = {"leads": leads, "customers": customers, "customer_revenue": customers * 5000,
               "group_revenue": customers * 5000, "won_revenue": customers * 5000}
    return [series("leadsla_closed_loop_sales_cycle_months", instance, cycle),
            *(series("leadsla_closed_loop_window_figure", instance, v, group="web", month="2026-05", figure=f)
              for f, v in figures.items()),
            series("leadsla_marketing_group_leads_month_to_date", instance, 3, group="web"),
            series("leadsla_marketing_group_value_month_to_date", instance, value, group="web"),
            series("leadsla_marketing_month_day", instance, 10), series("leadsla_marketing_month_length", instance, 30)]


def promtool(tmp_path, tests: list[dict]):
    (tmp_path / "rules.yml").write_text(rules_text(parse_policy(POLICY)))
    (tmp_path / "test.yml").write_text(yaml.safe_dump({"rule_files": ["rules.yml"], "evaluation_interval": "1m",
                                                       "tests": tests}))
    return run(tool("promtool"), "test", "rules", str(tmp_path / "test.yml"))


def test_workers_that_agree_on_the_cycle_give_the_goal_and_the_summed_value(tmp_path):
    # Both workers use 2 months. Close rate (6 + 4) customers / (60 + 40) leads = 0.1; deal size 5,000;
    # share 1. The month's value is each worker's sum of its leads' own values: 700 + 300 = 1,000 (not
    # 6 leads x lead_value 10 = 60).
    result = promtool(tmp_path, [{
        "interval": "1m",
        "input_series": worker("w1", 2, 60, 6, 700) + worker("w2", 2, 40, 4, 300),
        "promql_expr_test": [
            {"expr": "round(leadsla:closed_loop_sales_cycle_months)", "eval_time": "1m",
             "exp_samples": [{"labels": "{}", "value": 2}]},
            {"expr": 'round(leadsla:closed_loop_close_rate:window{group="web"}, 0.0001)', "eval_time": "1m",
             "exp_samples": [{"labels": '{group="web"}', "value": 0.1}]},
            {"expr": 'round(leadsla:marketing_value_to_date{group="web"}, 0.01)', "eval_time": "1m",
             "exp_samples": [{"labels": '{group="web"}', "value": 1000}]},
        ],
        "alert_rule_test": [{"eval_time": "5m", "alertname": "ClosedLoopCycleDisagrees", "exp_alerts": []}],
    }])
    assert result.returncode == 0, result.stdout + result.stderr


def test_workers_that_disagree_give_no_goal_and_a_warning(tmp_path):
    # One worker's deals give 1 month, the other's 3: their windows differ, their figures must not be added.
    result = promtool(tmp_path, [{
        "interval": "1m",
        "input_series": worker("w1", 1, 60, 6, 700) + worker("w2", 3, 40, 4, 300),
        "promql_expr_test": [
            {"expr": "leadsla:closed_loop_sales_cycle_months", "eval_time": "1m", "exp_samples": []},
            {"expr": 'leadsla:closed_loop_close_rate:window{group="web"}', "eval_time": "1m", "exp_samples": []},
            {"expr": 'leadsla:marketing_goal_value{group="web"}', "eval_time": "1m", "exp_samples": []},
        ],
        "alert_rule_test": [{"eval_time": "5m", "alertname": "ClosedLoopCycleDisagrees", "exp_alerts": [{
            "exp_labels": {"severity": "warning", "team": "marketing", "escalation": "0"},
            "exp_annotations": {"summary": (
                "The workers compute different sales cycles (sales_cycle_months: auto, up to 3 months), each from "
                "its own partitions' won deals: no goal is learned from their windows until they agree. Set a "
                "number of months in the policy (`leadsla goals --month <this month>` shows the cycle of all "
                "deals).")}}]}],
    }])
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_dashboards_cycle_panels_show_each_workers_cycle_and_how_many_differ(tmp_path):
    # The marketing waterfall's sales-cycle panels (grafana.queries), on agreeing and disagreeing workers.
    def panels(at: str, per_worker: dict[str, int], agreed: list[int], in_use: int) -> list[dict]:
        return [
            {"expr": q.sales_cycle_per_worker(), "eval_time": at,
             "exp_samples": [{"labels": f'{{instance="{w}"}}', "value": v} for w, v in per_worker.items()]},
            {"expr": q.sales_cycle_agreed(), "eval_time": at, "exp_samples": [{"labels": "{}", "value": v}
                                                                                for v in agreed]},
            {"expr": q.sales_cycles_in_use(), "eval_time": at, "exp_samples": [{"labels": "{}", "value": in_use}]},
        ]

    result = promtool(tmp_path, [
        {"interval": "1m", "input_series": worker("w1", 2, 60, 6, 700) + worker("w2", 2, 40, 4, 300),
         "promql_expr_test": panels("1m", {"w1": 2, "w2": 2}, [2], 1)},
        {"interval": "1m", "input_series": worker("w1", 1, 60, 6, 700) + worker("w2", 3, 40, 4, 300),
         "promql_expr_test": panels("1m", {"w1": 1, "w2": 3}, [], 2)},
    ])
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_policy_with_a_number_of_months_needs_no_agreement():
    rules = rules_text(parse_policy(POLICY.replace("sales_cycle_months: auto", "sales_cycle_months: 2")))
    assert "ClosedLoopCycleDisagrees" not in rules and "and on () leadsla:closed_loop" not in rules
