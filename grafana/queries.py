"""PromQL for the dashboards, one function per question a panel answers.

Pure string builders over the metric names declared in streams.metrics.names. ``$window`` is the
dashboards' rate-window variable. Conventions that keep the numbers honest:
- ratios come from ``increase()`` totals over the window, never from averages of
  short-window ratios (0/0 in a quiet hour would poison them);
- gauges every worker exports with the same value (the goal line) are combined with
  ``max``; gauges each worker reports for its own partitions are summed.
``$team`` is the team picker; queries on team-labelled metrics pass ``team=TEAMS``.
"""

from __future__ import annotations

from streams.metrics import names

WINDOW = "$window"
DECIDED = names.DECIDED.name


class Regex(str):
    """A label value matched as a regular expression (``=~``), e.g. a multi-value variable."""


TEAMS = Regex("$team")  # the dashboards' team picker (all teams: ".*")


def _selector(**labels: str) -> str:
    inner = ",".join(f'{name}{"=~" if isinstance(value, Regex) else "="}"{value}"' for name, value in labels.items())
    return "{" + inner + "}" if inner else ""


def increase(metric: str, by: str = "", **labels: str) -> str:
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (increase({metric}{_selector(**labels)}[{WINDOW}]))"


def rate(metric: str, by: str = "", **labels: str) -> str:
    grouping = f" by ({by})" if by else ""
    return f"sum{grouping} (rate({metric}{_selector(**labels)}[{WINDOW}]))"


def gauge(metric: str, how: str = "sum", by: str = "", **labels: str) -> str:
    grouping = f" by ({by})" if by else ""
    return f"{how}{grouping} ({metric}{_selector(**labels)})"


def share_within_target(by: str = "", **labels: str) -> str:
    """Lead cycles met / lead cycles decided (met or breached at the deadline) in the window."""
    return f"{increase(DECIDED, by, result='met', **labels)} / {increase(DECIDED, by, **labels)}"


def speed_average(segment: str, clock: str = "business") -> str:
    speed = names.SPEED_TO_LEAD[clock]
    return (f"{rate(speed.series('_sum'), segment=segment, team=TEAMS)} / "
            f"{rate(speed.series('_count'), segment=segment, team=TEAMS)}")


def speed_quantile(quantile: float, segment: str, clock: str = "business") -> str:
    buckets = rate(names.SPEED_TO_LEAD[clock].series("_bucket"), "le", segment=segment, team=TEAMS)
    return f"histogram_quantile({quantile}, {buckets})"


def constant(value: float) -> str:
    """A horizontal goal line (``vector`` has no labels, so it also renders outside Grafana)."""
    return f"vector({value:g})"


def average_attempts(by: str = "", **labels: str) -> str:
    return (f"{gauge(names.UNCONNECTED_ATTEMPTS.name, by=by, **labels)} / "
            f"{gauge(names.UNCONNECTED.name, by=by, **labels)}")


def live_hour_average_speed(clock: str = "business") -> str:
    return (f"{gauge(names.LIVE_SPEED.name, by='team', clock=clock, team=TEAMS)} / "
            f"{gauge(names.LIVE_CONTACTED.name, by='team', team=TEAMS)}")


def depth_met_share(by: str = "", **labels: str) -> str:
    """Follow-up periods that ended lately with the target's attempts or a connect / all that ended lately."""
    ended = names.FOLLOW_UP_ENDED.name
    return f"{gauge(ended, by=by, result='met', **labels)} / {gauge(ended, by=by, **labels)}"


def group_rule(rule: str, **labels: str) -> str:
    """A per-group recording rule (alerts.marketing_rules): one series per group, whatever evaluated it."""
    return gauge(rule, "max", by="group", **labels)


def group_actual(group: str, mode: str) -> str:
    """Month to date: marketing leads of the group, or their value in value mode."""
    if mode == "value":
        return group_rule(names.goal_rule("value_to_date"), group=group)
    return gauge(names.GROUP_LEADS.name, by="group", group=group)


def group_goal_line(group: str, mode: str) -> str:
    return group_rule(names.goal_rule("goal_value_to_date" if mode == "value" else "goal_leads_to_date"), group=group)


def sales_cycle_per_worker() -> str:
    """The sales cycle each worker's closed-loop window uses (one series per scraped worker)."""
    return gauge(names.CLOSED_LOOP_CYCLE.name, "max", by="instance")


def sales_cycle_agreed() -> str:
    """The cycle every worker uses (recording rule): no series while they disagree."""
    return gauge(names.CYCLE_RULE, "max")


def sales_cycles_in_use() -> str:
    """How many different sales cycles the workers use: 1 when they agree."""
    return f'count (count_values ("months", {names.CLOSED_LOOP_CYCLE.name}))'
