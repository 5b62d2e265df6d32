"""Small panel builders over grafana-foundation-sdk, so the dashboards read as content.

Every panel queries the provisioned Prometheus datasource by its fixed uid. A query
marked ``goal`` is drawn as a dashed red line: the SLA target or the goal line.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from grafana_foundation_sdk.builders import bargauge, common as common_builders, dashboard as dash, prometheus, stat
from grafana_foundation_sdk.builders import timeseries
from grafana_foundation_sdk.models import common, dashboard as model

DATASOURCE_UID = "leadsla-prometheus"
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)
GOAL_STYLE = [
    model.DynamicConfigValue(id_val="color", value={"mode": "fixed", "fixedColor": "red"}),
    model.DynamicConfigValue(id_val="custom.lineStyle", value={"fill": "dash", "dash": [10, 10]}),
    model.DynamicConfigValue(id_val="custom.lineWidth", value=2),
]


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""
    goal: bool = False  # a target / goal line rather than a measurement


def _targets(queries: list[Query], instant: bool) -> list[prometheus.Dataquery]:
    targets = []
    for ref, query in zip(string.ascii_uppercase, queries):
        target = prometheus.Dataquery().expr(query.expr).ref_id(ref).datasource(DATASOURCE)
        target = target.legend_format(query.legend or "__auto")
        targets.append(target.instant() if instant else target.range())
    return targets


def graph(title: str, description: str, queries: list[Query], unit: str, *, width: int = 12,
          height: int = 8, minimum: float | None = 0) -> timeseries.Panel:
    panel = (timeseries.Panel().title(title).description(description).datasource(DATASOURCE)
             .unit(unit).span(width).height(height).line_width(2).fill_opacity(8)
             .legend(common_builders.VizLegendOptions().show_legend(True)
                     .display_mode(common.LegendDisplayMode.LIST).placement(common.LegendPlacement.BOTTOM)))
    if minimum is not None:
        panel = panel.min(minimum)
    for target in _targets(queries, instant=False):
        panel = panel.with_target(target)
    for ref, query in zip(string.ascii_uppercase, queries):
        if query.goal:
            panel = panel.override_by_query(ref, GOAL_STYLE)
    return panel


def single(title: str, description: str, query: Query, unit: str, *, width: int = 6, height: int = 4,
           red_below: float | None = None, red_above: float | None = None) -> stat.Panel:
    """One number now; red beyond the given limit."""
    steps = [model.Threshold(value=None, color="green")]
    if red_above is not None:
        steps.append(model.Threshold(value=red_above, color="red"))
    if red_below is not None:
        steps = [model.Threshold(value=None, color="red"), model.Threshold(value=red_below, color="green")]
    panel = (stat.Panel().title(title).description(description).datasource(DATASOURCE).unit(unit)
             .span(width).height(height).graph_mode(common.BigValueGraphMode.AREA)
             .color_mode(common.BigValueColorMode.VALUE)
             .thresholds(dash.ThresholdsConfig().mode(model.ThresholdsMode.ABSOLUTE).steps(steps)))
    return panel.with_target(_targets([query], instant=False)[0])


def bars(title: str, description: str, queries: list[Query], unit: str, *, width: int = 12,
         height: int = 8) -> bargauge.Panel:
    """Current values side by side (one bar per series)."""
    panel = (bargauge.Panel().title(title).description(description).datasource(DATASOURCE).unit(unit)
             .span(width).height(height).min(0).orientation(common.VizOrientation.HORIZONTAL)
             .display_mode(common.BarGaugeDisplayMode.BASIC)
             .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False)))
    for target in _targets(queries, instant=True):
        panel = panel.with_target(target)
    return panel


def row(title: str) -> dash.Row:
    return dash.Row(title)


def window_variable(default: str = "1h") -> dash.CustomVariable:
    """The rate window of every increase()/rate() on the dashboard."""
    choices = ["5m", "15m", "1h", "6h", "1d", "7d"]
    return (dash.CustomVariable("window").label("Window").values(",".join(choices))
            .current(model.VariableOption(text=default, value=default, selected=True)))


def team_variable(teams: list[str]) -> dash.CustomVariable:
    """Pick teams; "All" matches every team (queries use ``team=~"$team"``)."""
    return (dash.CustomVariable("team").label("Team").values(",".join(teams)).multi(True).include_all(True)
            .all_value(".*").current(model.VariableOption(text=["All"], value=["$__all"], selected=True)))
