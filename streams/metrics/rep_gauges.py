"""Rep bandwidth as gauges: each rep's load (models.rep_load) and capacity (the policy's).

Rep labels are bounded like every rep label (streams.metrics.labels: the first 200 reps a
worker sees keep their name, the rest count as "other"); team labels are the policy's.
Each worker reports the leads of its partitions: dashboards sum the load over workers and
take the max of the capacity.
"""

from __future__ import annotations

from collections import Counter

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from models.policy import Policy
from models.rep_load import RepLoad
from streams.metrics import names
from streams.metrics.labels import OTHER, LabelBounds


def rep_families(load: RepLoad, policy: Policy, labels: LabelBounds) -> list[Metric]:
    measures = dict(zip(names.REP_MEASURES, (load.handed_today, load.waiting, load.unconnected, load.attempts_made,
                                             load.attempts_needed, load.needed_per_day)))
    values: Counter = Counter()
    capacity: dict[tuple[str, str], float] = {}
    for rep, team in sorted(load.reps()):
        key = (labels.rep(rep), labels.team(team))
        for measure, counts in measures.items():
            values[key + (measure,)] += counts.get((rep, team), 0)
        known = policy.capacity.of(rep, team)
        if known is not None and key[0] != OTHER:
            capacity[key] = known
    load_family = GaugeMetricFamily(names.REP_LOAD.name, names.REP_LOAD.help, labels=list(names.REP_LOAD.labels))
    for key, value in sorted(values.items()):
        load_family.add_metric(list(key), float(value))
    capacity_family = GaugeMetricFamily(names.REP_CAPACITY.name, names.REP_CAPACITY.help,
                                        labels=list(names.REP_CAPACITY.labels))
    for key, value in sorted(capacity.items()):
        capacity_family.add_metric(list(key), value)
    return [load_family, capacity_family]
