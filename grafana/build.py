"""The five dashboards, built from the policy: pure functions, policy in, dashboard JSON out.

Where the policy matters it shapes the dashboard: one speed-to-lead panel per segment
with that segment's target as the goal line, one follow-up panel per segment with its
attempt target, one waterfall per marketing goal. Uids are fixed, so links and
provisioned copies survive regeneration. Never edit the generated JSON: change this
code or the policy and run ``leadsla dashboards``.
"""

from __future__ import annotations

import json
from datetime import timedelta

from grafana_foundation_sdk.builders import dashboard as dash
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from grafana import queries as q
from grafana import rep_bandwidth as rep_bandwidth_panels
from grafana.panels import Query, bars, graph, row, single, team_variable, window_variable
from grafana.queries import TEAMS
from models.goal import goal_groups, group_quota, total_quota
from models.goal_report import TOTAL
from models.lead_values import value_table
from models.policy import GoalGroup, Policy, Segment
from streams.metrics import names

TAGS = ["leadsla", "sla"]
UIDS = {
    "speed-to-lead": "leadsla-speed-to-lead",
    "follow-up-depth": "leadsla-follow-up-depth",
    "marketing-waterfall": "leadsla-marketing-waterfall",
    "pipeline-health": "leadsla-pipeline-health",
    "rep-bandwidth": "leadsla-rep-bandwidth",
}


def human(duration: timedelta) -> str:
    """15m, 1h, 1h30m, 10d: as a policy file writes it."""
    seconds, parts = int(duration.total_seconds()), []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    return "".join(parts) or "0s"


def _clock(kind: str) -> str:
    return "business hours" if kind == "business" else "24x7"


def _dashboard(key: str, title: str, description: str, policy: Policy | None = None) -> dash.Dashboard:
    """With ``policy``: a team picker listing the policy's teams (and "other", the label of the rest)."""
    board = (dash.Dashboard(title).uid(UIDS[key]).description(description).tags(TAGS)
             .time("now-6h", "now").refresh("30s").timezone("browser").with_variable(window_variable()))
    return board.with_variable(team_variable(sorted(policy.teams) + ["other"])) if policy else board


def _section(board: dash.Dashboard, title: str, panels: list) -> dash.Dashboard:
    board = board.with_row(row(title))
    for panel in panels:
        board = board.with_panel(panel)
    return board


def speed_to_lead(policy: Policy) -> dash.Dashboard:
    board = _dashboard("speed-to-lead", "leadsla: Speed to lead",
                       "Sales' side of the SLA: how fast handed-off leads get their first qualifying contact.",
                       policy)
    board = _section(board, "Now", _speed_now())
    board = _section(board, "Per team", _speed_per_team())
    return _section(board, "Per segment: average, median and p90 against the SLA target",
                    [_segment_speed(segment) for segment in policy.segments])


def _speed_now() -> list:
    waiting = names.LEADS_WAITING.name
    return [
        single("Contacted within target", "Lead cycles met / decided (met or breached at the deadline) in the "
               "window. Leads nobody called count as breached.", Query(q.share_within_target(team=TEAMS)),
               "percentunit", red_below=0.9),
        single("Waiting now", "Handed-off leads with no qualifying contact yet.",
               Query(q.gauge(waiting, team=TEAMS)), "short"),
        single("Overdue now", "Waiting leads whose deadline has passed.",
               Query(q.gauge(waiting, status="overdue", team=TEAMS)), "short", red_above=1),
        single("Breached in the window", "Lead cycles breached at their deadline.",
               Query(q.increase(q.DECIDED, result="breached", team=TEAMS)), "short", red_above=1),
    ]


def _speed_per_team() -> list:
    breaches = q.increase(q.DECIDED, "team, segment", result="breached", team=TEAMS) + " > 0"
    return [
        graph("Share contacted within target, per team", "Met / decided per team.",
              [Query(q.share_within_target("team", team=TEAMS), "{{team}}")], "percentunit"),
        graph("Waiting now, per team", "On time: deadline still ahead; overdue: passed.",
              [Query(q.gauge(names.LEADS_WAITING.name, by="team, status", team=TEAMS), "{{team}} {{status}}")],
              "short"),
        bars("Oldest waiting lead, per team", "Wall-clock time since handoff.",
             [Query(q.gauge(names.OLDEST_WAITING.name, "max", by="team", team=TEAMS), "{{team}}")],
             "s"),
        bars("Recent breaches, per team and segment", "Breached in the window.",
             [Query(breaches, "{{team}} / {{segment}}")], "short"),
        graph("Average speed to lead this hour, per team (live table)",
              "Leads first contacted in the current hour window, on the SLA clock.",
              [Query(q.live_hour_average_speed(), "{{team}}")], "s"),
        bars("Contacted this hour, per team (live table)", "Leads first contacted in the current hour window.",
             [Query(q.gauge(names.LIVE_CONTACTED.name, by="team", team=TEAMS), "{{team}}")], "short"),
    ]


def _segment_speed(segment: Segment) -> dash.Panel:
    rules, name = segment.speed_to_lead, segment.name
    return graph(
        f"{name}: target {human(rules.target)} ({_clock(rules.clock)})",
        "Handoff to first qualifying contact of the leads contacted in the window, on the segment's SLA clock "
        "(and the wall-clock average).",
        [Query(q.speed_average(name), "average"), Query(q.speed_quantile(0.5, name), "median"),
         Query(q.speed_quantile(0.9, name), "p90"), Query(q.speed_average(name, "wall"), "average (wall clock)"),
         Query(q.constant(rules.target.total_seconds()), f"SLA target {human(rules.target)}", goal=True)],
        "s", width=8)


def follow_up_depth(policy: Policy) -> dash.Dashboard:
    board = _dashboard("follow-up-depth", "leadsla: Follow-up depth",
                       "Sales' persistence: attempts on leads nobody has connected with yet, against the target.",
                       policy)
    board = _section(board, "Now", _depth_now())
    board = _section(board, "Per segment: average attempts on unconnected leads against the target",
                     [_segment_depth(segment) for segment in policy.segments if segment.follow_up])
    return _section(board, "Per team and rep", _depth_per_team())


def _depth_now() -> list:
    return [
        single("Average attempts, follow-up period ended", "Unconnected leads whose period ended within the "
               "last period length: the number the depth target is judged on.", Query(q.average_attempts(period="ended", team=TEAMS)), "short"),
        single("Average attempts, period still open", "Unconnected leads still in their period.",
               Query(q.average_attempts(period="open", team=TEAMS)), "short"),
        single("Unconnected leads", "Open leads not connected yet.",
               Query(q.gauge(names.UNCONNECTED.name, team=TEAMS)), "short"),
        single("Depth breaches in the window", "Periods ended with too few attempts and no connect.",
               Query(q.increase(names.DEPTH_BREACHES.name, team=TEAMS)), "short", red_above=1),
        single("Follow-up periods met, ended lately", "Lead cycles whose follow-up period ended within the last "
               "period length: share with the target's attempts or a connect (the depth compliance rule).",
               Query(q.depth_met_share(team=TEAMS)), "percentunit", red_below=0.9),
    ]


def _depth_per_team() -> list:
    breaches = q.increase(names.DEPTH_BREACHES.name, "team, segment", team=TEAMS) + " > 0"
    per_lead = f"{q.gauge(names.LIVE_LEAD_ATTEMPTS.name)} / {q.gauge(names.LIVE_ATTEMPTED.name)}"
    return [
        graph("Average attempts on unconnected leads, per team", "All periods.",
              [Query(q.average_attempts("team", team=TEAMS), "{{team}}")], "short"),
        bars("Depth breaches in the window, per team and segment", "", [Query(breaches, "{{team}} / {{segment}}")],
             "short"),
        bars("Attempts today, per rep (live table)", "Current day window.",
             [Query(q.gauge(names.LIVE_REP_ATTEMPTS.name, by="rep"), "{{rep}}")], "short"),
        graph("Attempts per attempted lead today (live table)", "Average and most on one lead.",
              [Query(per_lead, "average"), Query(q.gauge(names.LIVE_LEAD_ATTEMPTS_MAX.name, "max"), "most")],
              "short"),
    ]


def _segment_depth(segment: Segment) -> dash.Panel:
    rule, name = segment.follow_up, segment.name
    return graph(
        f"{name}: {rule.attempts} attempts within {human(rule.within)} ({_clock(rule.clock)})",
        "Qualifying attempts within the follow-up period, averaged over unconnected leads.",
        [Query(q.average_attempts(segment=name, period="ended", team=TEAMS), "period ended"),
         Query(q.average_attempts(segment=name, period="open", team=TEAMS), "period open"),
         Query(q.constant(rule.attempts), f"target {rule.attempts}", goal=True)],
        "short", width=8)


def marketing_waterfall(policy: Policy) -> dash.Dashboard:
    board = _dashboard("marketing-waterfall", "leadsla: Marketing waterfall",
                       "Marketing's side of the SLA, by event time: each goal group's marketing leads (or their "
                       "value) this month against its goal line g/n per day, cumulative (g = quota x marketing "
                       "share / average deal size / close rate, learned from the closed loop or typed in).")
    groups = list(goal_groups(policy)) + [GoalGroup(name=TOTAL, monthly_quota=total_quota(policy))]
    board = _section(board, "Cumulative this month against the goal line, per goal group",
                     [_group_waterfall(group) for group in groups if group_quota(policy, group)])
    return _section(board, "The goal's inputs (closed loop: the window's months) and the pace", _goal_inputs())


def _group_waterfall(group: GoalGroup) -> dash.Panel:
    unit = "value" if group.mode == "value" else "leads"
    return graph(
        f"{group.name}: {unit} this month",
        "Actual: the group's marketing conversions this month up to the event-time watermark"
        + _valued(group) + ". Goal: the monthly goal x day / days in month.",
        [Query(q.group_actual(group.name, group.mode), "actual"),
         Query(q.group_goal_line(group.name, group.mode), "goal line", goal=True)],
        "currencyUSD" if group.mode == "value" else "short", width=8)


def _valued(group: GoalGroup) -> str:
    if group.mode != "value":
        return ""
    table = value_table(group)
    return f", each at its {table[0]}'s value" if table else " x the lead value"


def _goal_inputs() -> list:
    def per_group(title: str, rule: str, unit: str, description: str) -> dash.Panel:
        return graph(title, description, [Query(q.group_rule(names.goal_rule(rule)), "{{group}}")], unit)

    return [
        per_group("Close rate", "close_rate", "percentunit", "Customers / leads, mean over the window's months."),
        per_group("Average deal size", "average_deal_size", "currencyUSD", "Won revenue / customers."),
        per_group("Marketing share", "marketing_share", "percentunit", "Won revenue closed from the group's "
                  "leads / all won revenue, per month."),
        *_sales_cycle(),
        per_group("Monthly goal in leads", "goal_leads", "short", "Quota x share / deal size / close rate."),
        bars("Behind the goal line", "Share of the goal line to date not reached, in the group's mode (below 0: "
             "ahead). The warning fires beyond the policy's margin.",
             [Query(q.group_rule(names.goal_rule("behind")), "{{group}}")], "percentunit"),
        graph("Conversions by source", "Marketing- vs sales-generated leads in the window.",
              [Query(q.increase(names.CONVERTED.name, "source"), "{{source}}")], "short"),
    ]


def _sales_cycle() -> list:
    """The cycle that places the window (it ends cycle + 1 months before the month), and whether the
    workers agree on it: with ``sales_cycle_months: auto`` each computes its own from its partitions' deals."""
    return [
        graph("Sales cycle of the window, per worker (months)",
              "The sales cycle each worker's closed-loop window uses for this month's goal (the window ends "
              "cycle + 1 months before the month): the policy's number of months, or with sales_cycle_months: "
              "auto the one computed from the won deals of the worker's own partitions. 'every worker': the "
              "cycle they all use, which the rules learn from; no line while they disagree.",
              [Query(q.sales_cycle_per_worker(), "{{instance}}"), Query(q.sales_cycle_agreed(), "every worker")],
              "short", width=8),
        single("Sales cycles in use", "Different sales cycles among the workers: 1 when they agree. More "
               f"(sales_cycle_months: auto only): their windows differ, no goal is learned and {names.CYCLE_ALERT} "
               "warns; set a number of months in the policy.",
               Query(q.sales_cycles_in_use()), "short", width=4, height=8, red_above=2),
    ]


def pipeline_health(policy: Policy) -> dash.Dashboard:
    board = _dashboard("pipeline-health", "leadsla: Pipeline health",
                       "Is the monitor itself keeping up: inputs, rejects, watermarks, ticks, the broker, "
                       "alert delivery.")
    board = _section(board, "Flow", [
        graph("Input events per topic", "Valid events routed to the timeline, per second.",
              [Query(q.rate(names.EVENTS.name, "topic"), "{{topic}}")], "short"),
        graph("Timeline entries processed, per kind", "Per second, ticks included.",
              [Query(q.rate(names.TIMELINE_ENTRIES.name, "kind"), "{{kind}}")], "short"),
        graph("Dead letters by reason", "Rejected records in the window.",
              [Query(q.increase(names.DEAD_LETTERS.name, "reason"), "{{reason}}")], "short"),
        graph("Outcomes by kind", "Outcomes emitted in the window.",
              [Query(q.increase(names.OUTCOMES.name, "kind"), "{{kind}}")], "short"),
    ])
    board = _section(board, "Time", [
        graph("Watermark lag per partition", "Now minus the event-time watermark; at least the allowed "
              f"lateness ({human(policy.allowed_lateness)}).",
              [Query(q.gauge(names.WATERMARK_LAG.name, "max", by="partition"), "partition {{partition}}")],
              "s"),
        graph("Tick age", "Time since the last tick round; grows when the pipeline is behind its inputs or "
              "stalled.", [Query(q.gauge(names.TICK_AGE.name, "max"), "tick age")], "s"),
        graph("Broker unreachable, per worker", "How long each worker's Kafka broker has not answered its probe "
              "(0 while it answers): meanwhile inputs are not read and outcomes wait. LeadSLABrokerUnreachable "
              "pages beyond a minute.",
              [Query(q.gauge(names.BROKER_UNREACHABLE.name, "max", by="instance"), "{{instance}}")], "s",
              width=24, height=6),
    ])
    return _section(board, "State and delivery", [
        single("Tracked leads", "Leads in the lead-state table, retired ones not counted: bounded by the leads "
               "waiting and those active within the policy's retire_after.",
               Query(q.gauge(names.TRACKED_LEADS.name)), "short", width=3),
        single("Retired leads", "Tombstones of leads quiet for the policy's retire_after: a few fields each, kept "
               "so outcome ids are never reused.", Query(q.gauge(names.RETIRED_LEADS.name)), "short", width=3),
        single("Duplicates ignored", "In the window.", Query(q.increase(names.DUPLICATES.name)), "short"),
        single("Decisions withdrawn by late data", "In the window: first verdicts late data changed.",
               Query(q.increase(names.WITHDRAWN.name)), "short"),
        graph("Alert deliveries by result", "Alertmanager API calls in the window.",
              [Query(q.increase(names.ALERT_DELIVERIES.name, "alertmanager, result"),
                     "{{alertmanager}} {{result}}")], "short", width=6, height=4),
    ])


def rep_bandwidth(policy: Policy) -> dash.Dashboard:
    board = _dashboard("rep-bandwidth", "leadsla: Rep bandwidth",
                       "Each rep's leads against the attempts a day they can make (the policy's capacity).", policy)
    board = _section(board, "Load against capacity", rep_bandwidth_panels.load_panels())
    return _section(board, "Follow-up per rep", rep_bandwidth_panels.depth_panels())


BUILDERS = {"speed-to-lead": speed_to_lead, "follow-up-depth": follow_up_depth,
            "marketing-waterfall": marketing_waterfall, "pipeline-health": pipeline_health,
            "rep-bandwidth": rep_bandwidth}


def dashboards(policy: Policy) -> dict[str, dict]:
    """file stem -> dashboard JSON (as a dict), panels numbered in order."""
    return {key: _numbered(json.loads(json.dumps(build(policy).build(), cls=JSONEncoder)))
            for key, build in BUILDERS.items()}


def _numbered(board: dict) -> dict:
    for number, panel in enumerate(board.get("panels", []), start=1):
        panel["id"] = number
    return board
