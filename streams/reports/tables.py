"""The report's tables as text cells, in reading order: what the Markdown and HTML show.

Each ``Table`` belongs to a section (the agreement, Sales speed, breached leads, Sales
depth, data quality); empty tables are left out so a quiet period reads short.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.report import Report
from streams.reports.formatting import (BREACH_HEADINGS, DEPTH_HEADINGS, SPEED_HEADINGS, depth_cells, duration,
                                        local_time, share, speed_cells)
from streams.reports.section_tables import (AGREEMENT, BANDWIDTH, BANDWIDTH_HEADINGS, COMPARED_HEADINGS, MARKETING,
                                            MARKETING_HEADINGS, WHAT_IF, bandwidth_rows, calendar_rows, change_rows,
                                            compared_depth_rows, compared_rows, goal_rows, marketing_rows,
                                            version_target_rows, versions_rows)

SECTIONS = (AGREEMENT, "Sales: speed to lead", "Breached leads", "Sales: follow-up depth", "Data quality")


@dataclass(frozen=True)
class Table:
    section: str
    title: str
    headings: tuple[str, ...]
    rows: list[list[str]]
    name: str  # an id for the page: "speed-teams"


def report_tables(report: Report) -> list[Table]:
    tables = [_agreement(report), *_terms(report), *_versions(report), _marketing(report), *_speed(report),
              _breaches(report), *_depth(report), _bandwidth(report), *_what_if(report), *_quality(report)]
    return [t for t in tables if t.rows]


def _terms(report: Report) -> list[Table]:
    return [Table(AGREEMENT, "Calendars", ("calendar", "time zone", "hours", "holidays in the period", "teams"),
                  calendar_rows(report), "calendars"),
            Table(AGREEMENT, "Marketing goal groups", ("group", "selects", "mode", "inputs", "monthly quota"),
                  goal_rows(report), "goal-groups")]


def _versions(report: Report) -> list[Table]:
    return [Table(AGREEMENT, "Policy versions applied (each lead judged by the version in force at its handoff)",
                  ("version", "effective from", "in force in the period", "leads decided under it"),
                  versions_rows(report), "versions"),
            Table(AGREEMENT, "Targets of other versions, where they differ from those above",
                  ("version", "segment", "speed target", "clock", "compliance target", "follow-up"),
                  version_target_rows(report), "version-targets")]


def _bandwidth(report: Report) -> Table:
    return Table(BANDWIDTH, "Per rep: leads handed and attempts made in the period (automated touches left out)",
                 BANDWIDTH_HEADINGS, bandwidth_rows(report), "bandwidth")


def _marketing(report: Report) -> Table:
    return Table(MARKETING, "Per goal group and month, to the last day of the period in the month",
                 MARKETING_HEADINGS, marketing_rows(report), "marketing")


def _what_if(report: Report) -> list[Table]:
    name = report.what_if.policy if report.what_if else ""
    return [
        Table(WHAT_IF, f"All leads: in force against {name}", ("period", *COMPARED_HEADINGS),
              compared_rows(report, "total"), "what-if-total"),
        Table(WHAT_IF, "Per team", ("team", *COMPARED_HEADINGS), compared_rows(report, "team"), "what-if-teams"),
        Table(WHAT_IF, "Per segment", ("segment", *COMPARED_HEADINGS), compared_rows(report, "segment"),
              "what-if-segments"),
        Table(WHAT_IF, "Follow-up depth", ("period", "periods ended", "depth breaches", "within target",
                                           "periods ended (what-if)", "depth breaches (what-if)",
                                           "within target (what-if)"), compared_depth_rows(report), "what-if-depth"),
        Table(WHAT_IF, f"Leads whose verdict changes ({len(report.what_if.changes) if report.what_if else 0})",
              ("lead", "cycle", "team", "rep", "segment", "in force", "what-if", "deadline in force",
               "deadline what-if"), change_rows(report), "what-if-changes"),
    ]


def _agreement(report: Report) -> Table:
    rows = [[name, duration(t.target_seconds), t.clock, share(t.compliance_target),
             f"{t.follow_up_attempts} in {duration(t.follow_up_seconds)}" if t.follow_up_attempts else "–"]
            for name, t in report.targets.items()]
    title = "Targets by segment" + (" (the version in force on the period's last day)" if report.versions else "")
    return Table(SECTIONS[0], title,
                 ("segment", "speed target", "clock", "compliance target", "follow-up"), rows, "targets")


def _speed(report: Report) -> list[Table]:
    section, headings = SECTIONS[1], SPEED_HEADINGS
    targets = report.targets
    return [
        Table(section, "All leads", ("period", *headings), [["all", *speed_cells(report.total)]], "speed-total"),
        Table(section, "Per team", ("team", *headings),
              [[team, *speed_cells(f)] for team, f in report.by_team.items()], "speed-teams"),
        Table(section, "Per segment", ("segment", "target", *headings),
              [[s, duration(targets[s].target_seconds) if s in targets else "–", *speed_cells(f)]
               for s, f in report.by_segment.items()], "speed-segments"),
        Table(section, "Per rep", ("team", "rep", *headings),
              [[team, rep, *speed_cells(f)] for (team, rep), f in report.by_rep.items()], "speed-reps"),
        Table(section, "Per day", ("day", *headings),
              [[day.strftime("%a %Y-%m-%d"), *speed_cells(f)] for day, f in report.by_day.items()], "speed-days"),
        Table(section, "Per week", ("week", *headings),
              [[week, *speed_cells(f)] for week, f in report.by_week.items()], "speed-weeks"),
    ]


def _breaches(report: Report) -> Table:
    zone = report.period.zone
    rows = [[b.lead_id, str(b.cycle), b.team, b.owner_rep, b.segment, local_time(b.handoff_at, zone),
             local_time(b.deadline_at, zone), local_time(b.contact_at, zone) if b.contact_at else "none by the end",
             duration(b.late_by_seconds) if b.contact_at else f"≥ {duration(b.late_by_seconds)}",
             str(b.escalation_level or "–")]
            for b in sorted(report.breaches, key=lambda b: (b.deadline_at, b.lead_id))]
    return Table(SECTIONS[2], f"{len(rows)} breached leads", BREACH_HEADINGS, rows, "breaches")


def _depth(report: Report) -> list[Table]:
    section, headings = SECTIONS[3], DEPTH_HEADINGS
    return [
        Table(section, "All leads", ("period", *headings), [["all", *depth_cells(report.depth_total)]]
              if report.depth_total.periods_ended else [], "depth-total"),
        Table(section, "Per team", ("team", *headings),
              [[team, *depth_cells(f)] for team, f in report.depth_by_team.items()], "depth-teams"),
        Table(section, "Per segment", ("segment", *headings),
              [[s, *depth_cells(f)] for s, f in report.depth_by_segment.items()], "depth-segments"),
        Table(section, "Per rep", ("team", "rep", *headings),
              [[team, rep, *depth_cells(f)] for (team, rep), f in report.depth_by_rep.items()], "depth-reps"),
    ]


def _quality(report: Report) -> list[Table]:
    zone = report.period.zone
    return [
        Table(SECTIONS[4], "Corrections (an announced outcome withdrawn)", ("lead", "cycle", "at", "team", "withdrawn"),
              [[c.lead_id, str(c.cycle), local_time(c.at, zone), c.team, c.withdrawn] for c in report.corrections],
              "corrections"),
        Table(SECTIONS[4], "Rejected records by reason", ("reason", "records"),
              [[code, str(count)] for code, count in report.rejected_by_code.items()], "rejected-codes"),
        Table(SECTIONS[4], "Rejected records", ("where", "reason"),
              [[where, reason] for where, reason in report.rejected], "rejected"),
    ]
