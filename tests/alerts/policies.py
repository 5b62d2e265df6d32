"""A small policy whose deadlines pass seconds after a handoff stamped "now", and
Alertmanager timings fast enough to watch it (end-to-end tests, config checks)."""

from __future__ import annotations

from alerts.routing import Timing

# Warning 8s after the handoff, breach at 16s, escalation 8s later; an always-open
# calendar, so the business-hours routes are active whenever the test runs.
FAST_POLICY = """
version: 1
allowed_lateness: 1s
default_calendar: always
calendars:
  always:
    timezone: UTC
    hours: {mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"],
            fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"]}
teams:
  e2e-team: {calendar: always}
segments:
  - name: e2e-demo
    match: {}
    speed_to_lead:
      target: 16s
      clock: 24x7
      warn_before: 8s
      escalations:
        - {after: 8s, notify: manager}
alerts:
  lead_url_template: "https://crm.test/leads/{lead_id}?team={team}"
  resend_every: 2s
  keep_resolved_for: 1m
"""
# Follow-up depth: 3 attempts within 30s of the handoff (24x7), judged as soon as the period ends;
# a compliance ticket from 2 lead cycles on (the rule itself waits 30m: seen pending in tests).
DEPTH_POLICY = FAST_POLICY.replace("        - {after: 8s, notify: manager}\n", (
    "        - {after: 8s, notify: manager}\n"
    "    follow_up: {attempts: 3, within: 30s, clock: 24x7}\n")).replace(
    "  keep_resolved_for: 1m\n", "  keep_resolved_for: 1m\n  compliance_min_leads: 2\n")
# Marketing pace: one goal group learning its inputs from last month (a 0-month sales cycle); the
# warning from day 1 on, at once: the e2e test sees it reach Alertmanager.
PACE_POLICY = FAST_POLICY + """
goals:
  monthly_quota: 100000
  closed_loop: {window_months: 6, sales_cycle_months: 0}
  known_values: {segment: [web]}
  groups:
    - name: web
      select: {segment: web}
  pace: {behind_by: 0.1, after_day: 1, lasting: 0s}
"""
# For tests about one alert: the escalation would come (and, by inhibition, silence
# the breach) while the breach is still on its way.
LATE_ESCALATION_POLICY = FAST_POLICY.replace("after: 8s", "after: 1h")
# Fast enough that a resolution is notified within a second or two.
FAST_TIMINGS = {severity: Timing("0s", "1s", "1h") for severity in ("page", "warning", "ticket")}
