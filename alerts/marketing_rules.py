"""The marketing goal per goal group as recording rules, and the pace warning. Pure.

The workers export sums (streams.metrics.marketing): each its partitions' month-to-date
marketing leads per group and the closed loop's window figures per group and month.
Ratios cannot be added over workers, so the goal is computed here, where Prometheus
sees every worker at once:

- the sales cycle every worker's window uses (``names.CYCLE_RULE``),
  absent while they disagree. With ``sales_cycle_months: auto`` each worker computes the
  cycle from its own partitions' won deals, so two could learn from different windows, whose
  figures must not be added up: the learned inputs then require agreement, and
  ``ClosedLoopCycleDisagrees`` warns while it lacks. (When all workers agree, theirs is the
  cycle of all deals: the mean over all deals lies between the workers' means, and rounding
  keeps that order.);
- the learned inputs (close rate, deal size, marketing share): per window month the
  ratio of the summed figures, then their mean over the months where it is defined
  (a ``> 0`` filter leaves out a month without leads, customers or won revenue), as
  ``leadsla goals`` does (models.closed_loop);
- per group the inputs used (learned, or typed into the policy), the lead value, the
  monthly goal (quota x share / deal size / close rate, and quota x share in value),
  the cumulative goal line to the watermark's day (x day / days in month), the value
  to date (the workers' summed own values of each lead, for a group that prices leads by
  type; else leads x lead value), and how far behind the line the group is, in its mode;
- ``MarketingBehindGoal``: a group more than ``goals.pace.behind_by`` behind its line
  from day ``goals.pace.after_day`` of the month on, for ``goals.pace.lasting``.
"""

from __future__ import annotations

from models.durations import format_duration
from models.goal import goal_groups, group_quota, total_quota
from models.goal_report import TOTAL, closed_loop_window
from models.policy import GoalGroup, PaceAlert, Policy
from models.sales_cycle import AUTO
from streams.metrics import names

FIGURE = names.CLOSED_LOOP.name
# Per window month: (numerator figure, denominator figure) of each learned input.
RATIOS = {"close_rate": ("customers", "leads"), "average_deal_size": ("customer_revenue", "customers"),
          "marketing_share": ("group_revenue", "won_revenue")}


def marketing_group(policy: Policy) -> dict:
    groups = list(goal_groups(policy)) + [GoalGroup(name=TOTAL, monthly_quota=total_quota(policy))]
    auto = closed_loop_window(policy).sales_cycle_months == AUTO
    pace = policy.goals.pace if policy.goals else PaceAlert()
    rules = [_cycle()] + [_learned(name, auto) for name in names.LEARNED_INPUTS]
    for group in groups:
        rules += _group_rules(policy, group)
    rules += _line_rules() + [_behind(group) for group in groups if group_quota(policy, group)]
    rules.append(_pace_alert(pace))
    if auto:
        rules.append(_cycles_disagree(pace))
    return {"name": "leadsla-marketing-goal", "rules": rules}


def _cycle() -> dict:
    cycle = names.CLOSED_LOOP_CYCLE.name
    return {"record": names.CYCLE_RULE, "expr": f"max({cycle}) == min({cycle})"}


def _learned(name: str, auto: bool) -> dict:
    """Only from the figures of one window: with auto cycles, while every worker uses the same."""
    top, bottom = RATIOS[name]
    agreed = f"\nand on () {names.CYCLE_RULE}" if auto else ""
    return {"record": names.learned_input_rule(name),
            "expr": f'avg by (group) (\n  sum by (group, month) ({FIGURE}{{figure="{top}"}})\n'
                    f'  / (sum by (group, month) ({FIGURE}{{figure="{bottom}"}}) > 0)\n){agreed}'}


def _group_rules(policy: Policy, group: GoalGroup) -> list[dict]:
    quota = group_quota(policy, group)
    if not quota:
        return []
    only = f'{{group="{group.name}"}}'
    fixed = group.inputs if group.inputs != "closed_loop" else None
    rules = [_record(names.goal_rule(name), group.name, f"vector({getattr(fixed, name)!r})" if fixed else
                     f"{names.learned_input_rule(name)}{only}") for name in names.LEARNED_INPUTS]
    share, size, rate = (f"{names.goal_rule(n)}{only}" for n in ("marketing_share", "average_deal_size", "close_rate"))
    value = f"vector({group.lead_value!r})" if group.lead_value else f"{rate} * {size}"
    return rules + [
        _record(names.goal_rule("lead_value"), group.name, value),
        _record(names.goal_rule("goal_leads"), group.name, f"{quota!r} * {share} / {size} / {rate}"),
        _record(names.goal_rule("goal_value"), group.name, f"{quota!r} * {share}"),
    ]


def _record(name: str, group: str, expr: str) -> dict:
    return {"record": name, "expr": expr, "labels": {"group": group}}


def _line_rules() -> list[dict]:
    elapsed = f"on () group_left () (max({names.MONTH_DAY.name}) / max({names.MONTH_DAYS.name}))"
    leads = f"sum by (group) ({names.GROUP_LEADS.name})"
    priced = f"sum by (group) ({names.GROUP_VALUE.name})"
    return [
        {"record": names.goal_rule("goal_leads_to_date"), "expr": f"{names.goal_rule('goal_leads')}\n* {elapsed}"},
        {"record": names.goal_rule("goal_value_to_date"), "expr": f"{names.goal_rule('goal_value')}\n* {elapsed}"},
        {"record": names.goal_rule("value_to_date"),
         "expr": f"{priced}\nor\n{leads}\n* on (group) {names.goal_rule('lead_value')}"},
    ]


def _behind(group: GoalGroup) -> dict:
    only = f'{{group="{group.name}"}}'
    if group.mode == "value":
        actual, line = f"{names.goal_rule('value_to_date')}{only}", f"{names.goal_rule('goal_value_to_date')}{only}"
    else:
        actual = f"sum by (group) ({names.GROUP_LEADS.name}{only})"
        line = f"{names.goal_rule('goal_leads_to_date')}{only}"
    return {"record": names.goal_rule("behind"), "expr": f"1 - {actual}\n/ on (group) ({line} > 0)",
            "labels": {"group": group.name, "mode": group.mode}}


def _pace_alert(pace: PaceAlert) -> dict:
    return _marketing_warning(
        pace, "MarketingBehindGoal",
        f"{names.goal_rule('behind')} > {pace.behind_by!r}\nand on () max({names.MONTH_DAY.name}) >= {pace.after_day}",
        "Marketing goal group {{ $labels.group }} is {{ $value | humanizePercentage }} behind its "
        f"goal line for the month to date ({{{{ $labels.mode }}}}); the agreement warns beyond "
        f"{pace.behind_by:.0%} from day {pace.after_day} of the month.")


def _cycles_disagree(pace: PaceAlert) -> dict:
    cycle = names.CLOSED_LOOP_CYCLE.name
    return _marketing_warning(
        pace, names.CYCLE_ALERT, f"max({cycle}) != min({cycle})",
        "The workers compute different sales cycles (sales_cycle_months: auto, up to {{ $value }} "
        "months), each from its own partitions' won deals: no goal is learned from their windows "
        "until they agree. Set a number of months in the policy (`leadsla goals --month <this "
        "month>` shows the cycle of all deals).")


def _marketing_warning(pace: PaceAlert, alert: str, expr: str, summary: str) -> dict:
    """A warning to the policy's marketing team, held for the pace rule's ``lasting``."""
    rule = {"alert": alert, "expr": expr}
    if pace.lasting:
        rule["for"] = format_duration(pace.lasting)
    return rule | {"labels": {"severity": "warning", "team": pace.team, "escalation": "0"},
                   "annotations": {"summary": summary}}