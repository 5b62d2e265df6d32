"""Render a dashboard to PNG from a real Prometheus, with the dashboard's own queries.

No Grafana server runs here, so this shows a person what each panel would show:
time series as lines (goal lines dashed red), stats as their latest number over a
sparkline, bar gauges as horizontal bars. ``panel_specs`` reads the queries back out of
the generated JSON; the end-to-end test runs the very same queries.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from tools.local.prometheus import LocalPrometheus  # noqa: E402

COLUMNS = 3
UNIT_SCALES = {"s": [(86400, "days"), (3600, "hours"), (60, "minutes"), (1, "seconds")]}


@dataclass(frozen=True)
class PanelQuery:
    expr: str
    legend: str
    goal: bool


@dataclass(frozen=True)
class PanelSpec:
    title: str
    kind: str  # timeseries | stat | bargauge
    unit: str
    queries: tuple[PanelQuery, ...]


def panel_specs(board: dict) -> list[PanelSpec]:
    """Every non-row panel with its queries, in dashboard order."""
    specs = []
    for panel in board["panels"]:
        if panel["type"] == "row":
            continue
        overrides = panel.get("fieldConfig", {}).get("overrides", [])
        goals = {o["matcher"]["options"] for o in overrides if o["matcher"]["id"] == "byFrameRefID"}
        queries = tuple(PanelQuery(t["expr"], t.get("legendFormat", ""), t["refId"] in goals) for t in panel["targets"])
        unit = panel.get("fieldConfig", {}).get("defaults", {}).get("unit", "short")
        specs.append(PanelSpec(panel["title"], panel["type"], unit, queries))
    return specs


def resolved(expr: str, window: str) -> str:
    """The query as Grafana sends it with ``$window`` set and every team picked."""
    return expr.replace("$window", window).replace("$team", ".*")


def legend_for(query: PanelQuery, labels: dict[str, str]) -> str:
    if query.legend and query.legend != "__auto":
        return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), query.legend)
    return ", ".join(f"{k}={v}" for k, v in sorted(labels.items()) if k != "__name__") or query.expr[:40]


def _scale(unit: str, values: list[float]) -> tuple[float, str]:
    finite = [abs(v) for v in values if math.isfinite(v)]
    top = max(finite, default=0.0)
    if unit == "percentunit":
        return 100.0, "%"
    for size, name in UNIT_SCALES.get(unit, []):
        if top >= 2 * size or size == 1:
            return 1 / size, name
    return 1.0, {"currencyUSD": "$"}.get(unit, "")


def _series(prometheus: LocalPrometheus, spec: PanelSpec, window: str, start: float, end: float, step: float):
    """(query, labels, times, values) of every series the panel's queries return; a bar gauge
    asks for the values at ``end`` only, as Grafana's instant query does."""
    found = []
    for query in spec.queries:
        expr = resolved(query.expr, window)
        if spec.kind == "bargauge":
            results = [dict(metric=r["metric"], values=[r["value"]]) for r in prometheus.query(expr, at=end)]
        else:
            results = prometheus.query_range(expr, start, end, step)
        for result in results:
            times = [datetime.fromtimestamp(float(t)) for t, _ in result["values"]]
            found.append((query, result["metric"], times, [float(v) for _, v in result["values"]]))
    return found


def _draw_lines(axes, spec: PanelSpec, series) -> None:
    factor, unit_label = _scale(spec.unit, [v for *_, values in series for v in values])
    for query, labels, times, values in series:
        style = dict(color="red", linestyle="--", linewidth=1.6) if query.goal else dict(linewidth=1.6)
        axes.plot(times, [v * factor for v in values], label=legend_for(query, labels), **style)
    axes.set_ylabel(unit_label)
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
    if len(series) <= 12:
        axes.legend(fontsize=7, loc="upper left")


def _draw_stat(axes, spec: PanelSpec, series) -> None:
    _draw_lines(axes, spec, series)
    query, _, _, values = series[0]
    finite = [v for v in values if math.isfinite(v)]
    factor, unit_label = _scale(spec.unit, values)
    text = f"{finite[-1] * factor:,.1f} {unit_label}".strip() if finite else "-"
    axes.text(0.5, 0.5, text, transform=axes.transAxes, ha="center", va="center", fontsize=26, weight="bold",
              alpha=0.85)
    axes.get_legend() and axes.get_legend().remove()


def _draw_bars(axes, spec: PanelSpec, series) -> None:
    latest = [(legend_for(q, labels), values[-1]) for q, labels, _, values in series if values]
    latest = [(name, value) for name, value in latest if math.isfinite(value)]
    factor, unit_label = _scale(spec.unit, [v for _, v in latest])
    names = [name for name, _ in latest]
    axes.barh(names, [v * factor for _, v in latest], color="tab:green")
    axes.invert_yaxis()
    axes.set_xlabel(unit_label)
    axes.tick_params(axis="y", labelsize=7)


DRAW = {"timeseries": _draw_lines, "stat": _draw_stat, "bargauge": _draw_bars}


def render(board: dict, prometheus: LocalPrometheus, path: Path, *, start: float, end: float, window: str,
           note: str = "") -> list[str]:
    """Draw every panel of ``board`` into one PNG; return the titles of panels that had no data."""
    specs = panel_specs(board)
    rows = math.ceil(len(specs) / COLUMNS)
    figure, grid = plt.subplots(rows, COLUMNS, figsize=(6.2 * COLUMNS, 3.4 * rows), squeeze=False)
    step = max(1.0, (end - start) / 200)
    empty = []
    for axes, spec in zip(grid.flat, specs):
        series = _series(prometheus, spec, window, start, end, step)
        axes.set_title(spec.title, fontsize=9, loc="left")
        if series:
            DRAW.get(spec.kind, _draw_lines)(axes, spec, series)
        else:
            empty.append(spec.title)
            axes.text(0.5, 0.5, "no data", transform=axes.transAxes, ha="center", color="grey")
        axes.grid(alpha=0.3)
    for axes in list(grid.flat)[len(specs):]:
        axes.axis("off")
    figure.suptitle(f"{board['title']}  (window {window}{'; ' + note if note else ''})", fontsize=13, x=0.01,
                    ha="left")
    figure.tight_layout(rect=(0, 0, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=80)
    plt.close(figure)
    return empty
