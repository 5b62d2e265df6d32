"""Every name a reader of leadsla's metrics depends on, declared once.

Declares each metric (name, type, unit, help, allowed labels), the recording rules
built on them, and the live tables' names and key format. The code that creates the
metrics (streams.metrics), the rule generator (alerts.rules) and the dashboard
builder (grafana) all import these, so a rename cannot leave one of them behind.

Import rule: the standard library only. alerts/ and grafana/ import this module, and
must not pull in Faust or prometheus_client by doing so (a test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTER, GAUGE, HISTOGRAM = "counter", "gauge", "histogram"


@dataclass(frozen=True)
class Metric:
    name: str  # as PromQL sees it: counters end in _total
    type: str  # COUNTER, GAUGE or HISTOGRAM
    help: str
    labels: tuple[str, ...] = ()
    unit: str = ""  # "seconds" for durations and Unix times; "" for counts and currency

    def series(self, suffix: str) -> str:
        """A histogram's derived series: ``_bucket``, ``_sum`` or ``_count``."""
        assert self.type == HISTOGRAM and suffix in ("_bucket", "_sum", "_count"), (self.name, suffix)
        return self.name + suffix


def _counter(name: str, help: str, *labels: str) -> Metric:
    return Metric(f"leadsla_{name}_total", COUNTER, help, labels)


def _gauge(name: str, help: str, *labels: str, unit: str = "") -> Metric:
    return Metric(f"leadsla_{name}", GAUGE, help, labels, unit)


TEAM_SEGMENT = ("team", "segment")

# --- pipeline health --------------------------------------------------------------------------------
EVENTS = _counter("events", "Valid input events read by the tracker.", "topic", "kind")
DEAD_LETTERS = _counter("dead_letters", "Records rejected to the dead-letter topic.", "topic", "reason")
TIMELINE_ENTRIES = _counter("timeline_entries", "Records the tracker stepped: input events and ticks.", "kind")
DUPLICATES = _counter("duplicate_events", "Events ignored as already seen.")
TICKS = _counter("ticks", "Tick rounds written (one tick per owned partition a round).")
WATERMARK = _gauge("watermark_timestamp_seconds", "Event-time watermark per partition (Unix time).",
                   "partition", unit="seconds")
OUTCOMES = _counter("outcomes", "Outcomes emitted, by kind (corrections included).", "kind", *TEAM_SEGMENT)
ALERT_DELIVERIES = _counter("alert_deliveries", "Posts of alerts to an Alertmanager (API v2), by result: ok or "
                            "error.", "alertmanager", "result")
WATERMARK_LAG = _gauge("watermark_lag_seconds", "How far each partition's watermark is behind now "
                       "(at least the policy's allowed lateness).", "partition", unit="seconds")
TICK_AGE = _gauge("tick_age_seconds", "Time since the last tick round; grows when the pipeline is behind its "
                  "inputs or stalled.", unit="seconds")
BROKER_UP = _gauge("broker_up", "1 while the Kafka broker answers this worker's metadata probe (every second), "
                   "0 while it does not: inputs are not read and outcomes are held.")
BROKER_UNREACHABLE = _gauge("broker_unreachable_seconds", "How long the Kafka broker has not answered this worker "
                            "(since its last answer; 0 while it answers).", unit="seconds")

# --- leads: both sides of the agreement ---------------------------------------------------------------
CONVERTED = _counter("leads_converted", "Lead conversions, by source and the lead's segment.", "source", "segment")
CONVERTED_VALUE = Metric("leadsla_converted_lead_value_total", COUNTER, "Value of converted leads, where given.",
                         ("source", "segment"))
HANDED_OFF = _counter("leads_handed_off", "Leads handed off to Sales (one per handoff cycle).", *TEAM_SEGMENT)
DECIDED = _counter("leads_decided", "Lead cycles decided at their deadline: met (contacted in time) or breached.",
                   *TEAM_SEGMENT, "result")
WITHDRAWN = _counter("decisions_withdrawn", "Decisions later withdrawn because late data changed them (see "
                     "first_outcomes).", *TEAM_SEGMENT, "result")
DEPTH_BREACHES = _counter("depth_breaches", "Follow-up periods that ended with too few attempts and no connect.",
                          *TEAM_SEGMENT)
SPEED_TO_LEAD = {
    "wall": Metric("leadsla_speed_to_lead_wall_seconds", HISTOGRAM,
                   "Handoff to first qualifying contact, wall-clock time.", TEAM_SEGMENT, "seconds"),
    "business": Metric("leadsla_speed_to_lead_business_seconds", HISTOGRAM,
                       "Handoff to first qualifying contact on the segment's SLA clock "
                       "(business hours, or 24x7 where the policy says so).", TEAM_SEGMENT, "seconds"),
}

# --- now-gauges, recomputed from the lead-state table ------------------------------------------------
TRACKED_LEADS = _gauge("tracked_leads", "Leads in this worker's part of the lead-state table, retired ones not "
                       "counted: what its memory holds per lead.")
RETIRED_LEADS = _gauge("retired_leads", "Tombstones of retired leads in this worker's part of the lead-state "
                       "table (a few fields each, kept so outcome ids are never reused).")
LEADS_WAITING = _gauge("leads_waiting", "Handed-off leads waiting for a first qualifying contact now; "
                       "status overdue once their deadline passed.", *TEAM_SEGMENT, "status")
OLDEST_WAITING = _gauge("oldest_waiting_lead_age_seconds", "Wall-clock time the team's longest-waiting lead "
                        "has waited since handoff (0: none waiting).", "team", unit="seconds")
UNCONNECTED = _gauge("unconnected_leads", "Open leads nobody has connected with yet, by whether their "
                     "follow-up period is still open or ended within the last period length (older ones "
                     "are left out: depth over a timeframe, not lifetime).", *TEAM_SEGMENT, "period")
UNCONNECTED_ATTEMPTS = _gauge("unconnected_lead_attempts", "Qualifying attempts within the follow-up period on "
                              "those leads (divide by leadsla_unconnected_leads for the average).",
                              *TEAM_SEGMENT, "period")
FOLLOW_UP_ENDED = _gauge("follow_up_periods_ended", "Lead cycles whose follow-up period ended within the last "
                         "period length, by result: met (a connect, or the target's attempts) or breached.",
                         *TEAM_SEGMENT, "result")

# --- marketing goal per goal group, by event time (models.waterfall, models.loop_ledger) -----------------
GROUP_LEADS = _gauge("marketing_group_leads_month_to_date", "Marketing conversions of the event-time watermark's "
                     "month so far, per goal group (group=\"total\": every marketing lead).", "group")
GROUP_VALUE = _gauge("marketing_group_value_month_to_date", "What those conversions are worth, each lead its own "
                     "value (its type's in the group's lead_values, else the group's lead_value): for the groups "
                     "that price leads by type; for the others the rules multiply the count by the lead value.",
                     "group")
MONTH_DAY = _gauge("marketing_month_day", "Day of the month of the event-time watermark, in the goal zone: the "
                   "waterfall's today.")
MONTH_DAYS = _gauge("marketing_month_length", "Days in the watermark's month.")
CLOSED_LOOP = _gauge("closed_loop_window_figure", "The closed loop behind this month's goal: per goal group and "
                     "window month, one figure: leads, customers, customer_revenue (won from those customers), "
                     "group_revenue (won, closed in the month, from the group's leads), won_revenue (all won, "
                     "closed in the month). Sum over workers.", "group", "month", "figure")
CLOSED_LOOP_FIGURES = ("leads", "customers", "customer_revenue", "group_revenue", "won_revenue")
CLOSED_LOOP_CYCLE = _gauge("closed_loop_sales_cycle_months", "The sales cycle this worker's window uses for this "
                           "month's goal: the policy's number of months, or (auto) the one computed from the won "
                           "deals of this worker's partitions. The window's figures add up over workers only "
                           "when every worker uses the same cycle.")

# --- rep bandwidth (models.rep_load); rep labels capped (streams.metrics.labels.REP_CAP, then "other") -------
REP_LOAD = _gauge("rep_load", "Each rep's load now, by measure: handed_today (leads handed to the rep today), "
                  "waiting (for a first contact), unconnected (open follow-up period, no connect), attempts_made "
                  "and attempts_needed (to reach the depth target on those), attempts_needed_per_day (spread over "
                  "the days their periods have left).", "rep", "team", "measure")
REP_MEASURES = ("handed_today", "waiting", "unconnected", "attempts_made", "attempts_needed",
                "attempts_needed_per_day")
REP_CAPACITY = _gauge("rep_capacity_attempts_per_day", "Attempts a day the rep can make (policy capacity), for "
                      "reps with a load.", "rep", "team")

# --- the windowed live tables, read into gauges ---------------------------------------------------------
LIVE_CONTACTED = _gauge("live_hour_contacted_leads", "Leads first contacted in the current hour window "
                        "(live table; expires with the window).", "team")
LIVE_SPEED = _gauge("live_hour_speed_to_lead_seconds", "Summed handoff-to-contact time of those leads "
                    "(divide by leadsla_live_hour_contacted_leads for the average).", "team", "clock",
                    unit="seconds")
LIVE_REP_ATTEMPTS = _gauge("live_day_rep_attempts", "Contact attempts per rep in the current day window.", "rep")
LIVE_ATTEMPTED = _gauge("live_day_attempted_leads", "Leads with an attempt in the current day window.")
LIVE_LEAD_ATTEMPTS = _gauge("live_day_lead_attempts", "Attempts on those leads in the current day window.")
LIVE_LEAD_ATTEMPTS_MAX = _gauge("live_day_lead_attempts_max", "Most attempts on one lead in the current day "
                                "window.")

METRICS: tuple[Metric, ...] = tuple(
    value for value in list(globals().values()) + list(SPEED_TO_LEAD.values()) if isinstance(value, Metric))


def declared_series() -> frozenset[str]:
    """Every series name a query may use: each metric, and a histogram's _bucket, _sum and _count."""
    names = {metric.name for metric in METRICS}
    names |= {metric.series(s) for metric in METRICS if metric.type == HISTOGRAM for s in ("_bucket", "_sum", "_count")}
    return frozenset(names)


# --- recording rules (alerts.rules writes them, grafana may read them) ----------------------------------
RECORDING_RULE_PREFIX = "leadsla:"


def decided_increase_rule(window: str) -> str:
    return f"{RECORDING_RULE_PREFIX}leads_decided:increase{window}"


def breached_ratio_rule(window: str) -> str:
    return f"{RECORDING_RULE_PREFIX}speed_to_lead_breached:ratio{window}"


DEPTH_BREACHED_RATIO_RULE = f"{RECORDING_RULE_PREFIX}follow_up_breached:ratio"

# The marketing goal per group (alerts.marketing_rules): the closed loop's inputs, the goal, the goal line.
LEARNED_INPUTS = ("close_rate", "average_deal_size", "marketing_share")


def learned_input_rule(name: str) -> str:
    """An input as the window teaches it (mean of the monthly values where defined)."""
    return f"{RECORDING_RULE_PREFIX}closed_loop_{name}:window"


# The sales cycle every worker's window uses; absent while workers disagree (auto: each computes its own).
CYCLE_RULE = f"{RECORDING_RULE_PREFIX}closed_loop_sales_cycle_months"
# The warning while they disagree (alerts.marketing_rules; the dashboards name it too).
CYCLE_ALERT = "ClosedLoopCycleDisagrees"


def goal_rule(name: str) -> str:
    """Per group, the input or figure used for the goal: close_rate, average_deal_size, marketing_share,
    lead_value, goal_leads, goal_value (monthly), goal_leads_to_date, goal_value_to_date, value_to_date,
    behind (the share of the goal line to date not reached, in the group's mode)."""
    return f"{RECORDING_RULE_PREFIX}marketing_{name}"


# --- the windowed live tables (streams.runtime.live_tables writes, streams.runtime.gauge_timer reads) -----
SPEED_TABLE = "speed-to-lead-by-team"
LEAD_ATTEMPTS_TABLE = "attempts-by-lead-day"
REP_ATTEMPTS_TABLE = "attempts-by-rep-day"
KEY_SEPARATOR = "|"


def partition_key(name: str, partition: int) -> str:
    """A team or rep key of a live table: a Faust table key lives in one partition, and one team's
    or rep's leads are spread over all of them, so the key carries the partition (``team|3``)."""
    return f"{name}{KEY_SEPARATOR}{partition}"


def split_partition_key(key: str) -> tuple[str, int] | None:
    """``(name, partition)`` of a ``partition_key``; None for any other key."""
    name, separator, partition = key.rpartition(KEY_SEPARATOR)
    return (name, int(partition)) if separator and partition.isdigit() else None
