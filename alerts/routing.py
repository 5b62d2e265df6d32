"""An example Alertmanager configuration generated from the policy file. Pure.

The routing tree goes team first, then severity: each team of the policy has
its own receivers, and within a team
- pages of an escalation level go to the receiver of the level's ``notify``
  (``<team>-manager``, ``<team>-head_of_sales``: one receiver per ``notify`` value
  the policy's escalations name), so level 2 can reach another person than
  level 1; an escalation whose ``notify`` the policy no longer names falls back
  to ``<team>-escalations``;
- other pages (the breach) go to the team's pager, day and night;
- depth breaches (low severity) go to the team's chat grouped per rep, so a rep's
  under-worked leads arrive as one message;
- warnings and tickets go to the team's chat, in the team's business hours only
  (``time_intervals`` made from the team's calendar, holidays muted).
Per-lead alerts are grouped per lead and level, so each notification is about
one lead, and a breach's first notification leaves at once (its startsAt lies
in the past, which skips group_wait; pages also wait 0s otherwise).

Inhibition: a breach silences the warning of the same lead cycle, an escalation
the breach, and each escalation level the levels below it.

``webhook_url`` turns every receiver into that webhook (tests, the benchmark):
the same tree, routed for real, observable from one endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alerts.content import ALERTING_KINDS, LEAD_ALERTNAMES
from models.calendar import BusinessCalendar
from models.policy import PaceAlert, Policy

EXAMPLE_WEBHOOK = "http://127.0.0.1:5001/leadsla"
EXAMPLE_SLACK = "https://hooks.slack.com/services/REPLACE/WITH/YOUR-WEBHOOK"
LEAD_ALERTS = "alertname=~\"" + "|".join(LEAD_ALERTNAMES) + "\""
LEAD_GROUPING = ["alertname", "team", "lead_id", "cycle", "escalation"]
DEPTH_ALERTNAME = ALERTING_KINDS["depth_breached"][0]
DEPTH_GROUPING = ["alertname", "team", "owner_rep"]
# Alertmanager's week starts on Sunday: a range may not wrap past Saturday.
DAY_NAMES = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
HOUR_KEYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
          "november", "december")


@dataclass(frozen=True)
class Timing:
    group_wait: str
    group_interval: str
    repeat_interval: str

    def fields(self) -> dict:
        return {"group_wait": self.group_wait, "group_interval": self.group_interval,
                "repeat_interval": self.repeat_interval}


# Pages: at once, a resolution within seconds, re-paged hourly while the lead waits.
EXAMPLE_TIMINGS = {"page": Timing("0s", "10s", "1h"), "warning": Timing("10s", "1m", "4h"),
                   "ticket": Timing("1m", "10m", "24h")}


def alertmanager_config(policy: Policy, *, webhook_url: str | None = None,
                        timings: dict[str, Timing] | None = None) -> dict:
    timings = timings or EXAMPLE_TIMINGS
    teams = sorted(policy.teams)
    operations = policy.alerts.operations_team
    calendars = sorted({policy.teams[t].calendar for t in policy.teams})
    marketing = policy.goals.pace.team if policy.goals else PaceAlert().team
    routes = [_team_route(policy, team, timings) for team in teams] + [_operations_route(operations, timings),
                                                                       _marketing_route(marketing, timings)]
    # Lead alerts of a team the policy does not name still page fast, to the default receiver.
    routes.append({"receiver": "leadsla-default", "matchers": [LEAD_ALERTS], "group_by": LEAD_GROUPING,
                   **timings["page"].fields()})
    config = {
        "route": {"receiver": "leadsla-default", "group_by": ["alertname", "team", "segment"],
                  **timings["ticket"].fields(), "routes": routes},
        "inhibit_rules": _inhibit_rules(policy),
        "receivers": [_webhook("leadsla-default", webhook_url or EXAMPLE_WEBHOOK)]
                     + [r for team in teams for r in _team_receivers(team, notify_levels(policy), webhook_url)]
                     + _operations_receivers(operations, webhook_url)
                     + [_webhook(f"{marketing}-chat", webhook_url) if webhook_url
                        else _slack(f"{marketing}-chat", f"#{marketing}-goals")],
    }
    intervals = [i for name in calendars for i in _time_intervals(name, policy.calendars[name])]
    if intervals:
        config["time_intervals"] = intervals
    return config


def notify_levels(policy: Policy) -> list[str]:
    """Every ``notify`` the policy's escalations name, in order of their first level, then name."""
    levels = {(index, e.notify) for s in policy.segments for index, e in enumerate(s.speed_to_lead.escalations)}
    ordered: list[str] = []
    for _, notify in sorted(levels):
        if notify not in ordered:
            ordered.append(notify)
    return ordered


TEAM_RECEIVER_KINDS = ("escalations", "pages", "chat")


def notify_receiver(team: str, notify: str) -> str:
    """``<team>-<notify>``; a notify spelled like one of the team's own receivers keeps its own name."""
    return f"{team}-notify-{notify}" if notify in TEAM_RECEIVER_KINDS else f"{team}-{notify}"


def _notify_routes(policy: Policy, team: str, timings: dict[str, Timing]) -> list[dict]:
    return [{"receiver": notify_receiver(team, notify),
             "matchers": [LEAD_ALERTS, 'severity="page"', 'escalation!="0"', f"notify={_quoted(notify)}"],
             "group_by": LEAD_GROUPING, **timings["page"].fields()} for notify in notify_levels(policy)]


def _quoted(value: str) -> str:
    """A matcher value in double quotes, escaped as Alertmanager's parser reads it."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _team_route(policy: Policy, team: str, timings: dict[str, Timing]) -> dict:
    calendar = policy.teams[team].calendar if team in policy.teams else None
    office = _office_hours(calendar, policy)
    routes = _notify_routes(policy, team, timings) + [
        {"receiver": f"{team}-escalations", "matchers": [LEAD_ALERTS, 'severity="page"', 'escalation!="0"'],
         "group_by": LEAD_GROUPING, **timings["page"].fields()},
        {"receiver": f"{team}-pages", "matchers": ['severity="page"'],
         "group_by": LEAD_GROUPING, **timings["page"].fields()},
        # Depth breaches: one message per rep (a coaching matter), in business hours.
        {"receiver": f"{team}-chat", "matchers": [f'alertname="{DEPTH_ALERTNAME}"'], "group_by": DEPTH_GROUPING,
         **timings["ticket"].fields(), **office},
        {"receiver": f"{team}-chat", "matchers": ['severity="warning"'],
         "group_by": LEAD_GROUPING, **timings["warning"].fields(), **office},
        {"receiver": f"{team}-chat", "matchers": ['severity="ticket"'], **timings["ticket"].fields(), **office},
    ]
    return {"receiver": f"{team}-chat", "matchers": [f'team="{team}"'], "routes": routes}


def _operations_route(team: str, timings: dict[str, Timing]) -> dict:
    """The pipeline's own alerts (from the Prometheus rules): pages at any hour."""
    routes = [{"receiver": f"{team}-pages", "matchers": ['severity="page"'], **timings["page"].fields()}]
    return {"receiver": f"{team}-chat", "matchers": [f'team="{team}"'], "routes": routes}


def _marketing_route(team: str, timings: dict[str, Timing]) -> dict:
    """Marketing's pace warnings (a goal group behind its goal line): its chat, grouped per group."""
    return {"receiver": f"{team}-chat", "matchers": [f'team="{team}"'], "group_by": ["alertname", "group"],
            **timings["warning"].fields()}


def _office_hours(calendar: str | None, policy: Policy) -> dict:
    if calendar is None:
        return {}
    office = {"active_time_intervals": [f"business-hours-{calendar}"]}
    if policy.calendars[calendar].holidays:
        office["mute_time_intervals"] = [f"holidays-{calendar}"]
    return office


def _inhibit_rules(policy: Policy) -> list[dict]:
    same_lead = ["lead_id", "cycle"]
    rules = [
        {"source_matchers": ['alertname="LeadSLABreached"'], "target_matchers": ['alertname="LeadSLAWarning"'],
         "equal": same_lead},
        {"source_matchers": ['alertname="LeadSLAEscalated"'], "target_matchers": ['alertname="LeadSLABreached"'],
         "equal": same_lead},
    ]
    levels = max((len(s.speed_to_lead.escalations) for s in policy.segments), default=0)
    for level in range(2, levels + 1):
        rules.append({"source_matchers": ['alertname="LeadSLAEscalated"', f'escalation="{level}"'],
                      "target_matchers": ['alertname="LeadSLAEscalated"', f'escalation="{level - 1}"'],
                      "equal": same_lead})
    return rules


def _team_receivers(team: str, notifies: list[str], webhook_url: str | None) -> list[dict]:
    levels = [notify_receiver(team, notify) for notify in notifies]
    if webhook_url:
        return [_webhook(name, webhook_url) for name in levels + [f"{team}-{kind}" for kind in TEAM_RECEIVER_KINDS]]
    return [_pagerduty(name, f"REPLACE-{name}-routing-key") for name in levels] + [
            _pagerduty(f"{team}-escalations", f"REPLACE-{team}-managers-routing-key"),
            _pagerduty(f"{team}-pages", f"REPLACE-{team}-reps-routing-key"),
            _slack(f"{team}-chat", f"#leads-{team}")]


def _operations_receivers(team: str, webhook_url: str | None) -> list[dict]:
    if webhook_url:
        return [_webhook(f"{team}-{kind}", webhook_url) for kind in ("pages", "chat")]
    return [_pagerduty(f"{team}-pages", f"REPLACE-{team}-routing-key"), _slack(f"{team}-chat", f"#{team}-alerts")]


def _webhook(name: str, url: str) -> dict:
    return {"name": name, "webhook_configs": [{"url": url, "send_resolved": True}]}


def _pagerduty(name: str, routing_key: str) -> dict:
    return {"name": name, "pagerduty_configs": [{
        "routing_key": routing_key, "send_resolved": True,
        "description": "{{ .CommonAnnotations.summary }}",
        "client_url": "{{ .CommonAnnotations.lead_url }}",
        "details": {"notify": "{{ .CommonLabels.notify }}", "lead_id": "{{ .CommonLabels.lead_id }}",
                    "owner_rep": "{{ .CommonLabels.owner_rep }}", "deadline": "{{ .CommonAnnotations.deadline_at }}"},
    }]}


def _slack(name: str, channel: str) -> dict:
    return {"name": name, "slack_configs": [{
        "api_url": EXAMPLE_SLACK, "channel": channel, "send_resolved": True,
        "title": "{{ .Status | toUpper }}: {{ .CommonLabels.alertname }} ({{ .CommonLabels.team }})",
        "text": "{{ range .Alerts }}{{ .Annotations.summary }} {{ .Annotations.lead_url }}\n{{ end }}",
    }]}


def _time_intervals(name: str, calendar: BusinessCalendar) -> list[dict]:
    zone = calendar.timezone
    by_hours: dict[tuple[str, ...], list[int]] = {}
    for index, key in enumerate(HOUR_KEYS):
        if calendar.hours.get(key):
            by_hours.setdefault(tuple(calendar.hours[key]), []).append(index)
    weekly = [{"weekdays": _day_ranges(days), "times": [_times(r) for r in ranges], "location": zone}
              for ranges, days in by_hours.items()]
    intervals = [{"name": f"business-hours-{name}", "time_intervals": weekly}]
    if calendar.holidays:
        days = [_holiday(day, zone) for day in sorted(calendar.holidays)]
        intervals.append({"name": f"holidays-{name}", "time_intervals": days})
    return intervals


def _times(hours: str) -> dict:
    start, end = hours.strip().split("-")
    return {"start_time": start, "end_time": end}


def _day_ranges(days: list[int]) -> list[str]:
    """Indices in Alertmanager's week: [0, 1, 2, 3, 4, 5] -> ['sunday:friday']."""
    runs: list[list[int]] = []
    for day in days:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return [DAY_NAMES[r[0]] if len(r) == 1 else f"{DAY_NAMES[r[0]]}:{DAY_NAMES[r[-1]]}" for r in runs]


def _holiday(day: date, zone: str) -> dict:
    return {"years": [str(day.year)], "months": [MONTHS[day.month - 1]],
            "days_of_month": [str(day.day)], "location": zone}
