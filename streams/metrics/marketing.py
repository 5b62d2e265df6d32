"""The marketing goal's live gauges: the waterfall per goal group and the closed loop's window.

Computed by streams.runtime.marketing from this worker's partitions (models.waterfall,
models.loop_ledger) and published whole through their own ``SnapshotCollector``. Every
number is a sum a dashboard or rule may add up over workers; ratios (close rate, deal
size, marketing share, the goal) are left to the generated recording rules
(alerts.marketing_rules), which see every worker's figures at once.

The sales cycle the window uses is published too (one number per worker, no label): with
``sales_cycle_months: auto`` each worker computes it from its own partitions' deals, and the
rules add the figures up only while every worker uses the same one.

Labels: ``group`` is a policy goal group or ``total`` (at most 100 + 1), ``month`` one of
the window's months (at most 12), ``figure`` one of five: bounded by the policy.
"""

from __future__ import annotations

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from models.closed_loop import MonthFigures
from models.goal import goal_groups
from models.goal_report import TOTAL
from models.lead_values import value_table
from models.loop_ledger import LiveWindow
from models.policy import Policy
from models.waterfall import MonthToDateCounts
from streams.metrics import names


def group_names(policy: Policy) -> list[str]:
    return [group.name for group in goal_groups(policy)] + [TOTAL]


def marketing_families(counts: MonthToDateCounts, live: LiveWindow, policy: Policy) -> list[Metric]:
    leads = _family(names.GROUP_LEADS)
    for group in group_names(policy):
        leads.add_metric([group], float(counts.leads.get(group, 0)))
    values = _family(names.GROUP_VALUE)
    for group in goal_groups(policy):
        if value_table(group):
            values.add_metric([group.name], float(counts.values.get(group.name, 0.0)))
    families = [leads, values]
    if counts.today is not None:
        families += [_single(names.MONTH_DAY, counts.day), _single(names.MONTH_DAYS, counts.days)]
    if live.cycle is not None:
        families.append(_single(names.CLOSED_LOOP_CYCLE, live.cycle.months))
    loop = _family(names.CLOSED_LOOP)
    for group, months in live.figures.items():
        for month in months:
            for figure, value in _figures(month).items():
                loop.add_metric([group, str(month.month), figure], value)
    return families + [loop]


def _figures(month: MonthFigures) -> dict[str, float]:
    values = dict(leads=month.leads, customers=month.customers, customer_revenue=month.customer_revenue,
                  group_revenue=month.group_revenue, won_revenue=month.won_revenue)
    assert tuple(values) == names.CLOSED_LOOP_FIGURES
    return {name: float(value) for name, value in values.items()}


def _family(metric: names.Metric) -> GaugeMetricFamily:
    return GaugeMetricFamily(metric.name, metric.help, labels=list(metric.labels))


def _single(metric: names.Metric, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(metric.name, metric.help, value=float(value))
