"""A hand-built reporting period shared by the report and digest tests: Fri 30 Oct to Tue
3 Nov 2026 in New York. It crosses a month end and the end of daylight saving time (Sun 1
Nov, 02:00 EDT -> 01:00 EST), and a weekend on the business clock.

Every figure the tests expect is worked out here by hand from the events, not by leadsla.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from tests.pure.events import as_json_line, attempt, converted, handoff

NEW_YORK = ZoneInfo("America/New_York")
FIRST_DAY, LAST_DAY = date(2026, 10, 30), date(2026, 11, 3)
END = datetime(2026, 11, 4, tzinfo=NEW_YORK)  # midnight after the last day (EST)


def ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


def _mid_market(lead: str, at: datetime, rep: str, team: str) -> list:
    return [converted(at, lead, segment="mid-market", offer=None), handoff(at, lead, rep=rep, team=team)]


EVENTS = [
    # A: handed off Fri 16:30 EDT, called Mon 09:20 EST. Business time (9-17): 30m Fri + 20m Mon
    # = 3000 s, within the 1h target: met on Mon 2 Nov. Wall: Fri 20:30 UTC -> Mon 14:20 UTC.
    *_mid_market("A", ny(10, 30, 16, 30), "rep-a", "inbound-east"),
    attempt(ny(11, 2, 9, 20), "A", rep="rep-a", outcome="connected"),
    # B: handed off Fri 10:00, called at 10:30: met, 1800 s both ways.
    *_mid_market("B", ny(10, 30, 10), "rep-b", "inbound-east"),
    attempt(ny(10, 30, 10, 30), "B", rep="rep-b"),
    # C: handed off Fri 10:00, deadline 11:00, escalated (manager) at 11:30, called at 12:00:
    # breached on Fri, contacted late after 7200 s, late by 3600 s.
    *_mid_market("C", ny(10, 30, 10), "rep-b", "inbound-east"),
    attempt(ny(10, 30, 12), "C", rep="rep-b", outcome="connected"),
    # D: an enterprise demo request on Saturday (15m business target): the clock starts Mon
    # 09:00 EST, deadline 09:15, escalations at 09:30 (manager) and 10:15 (head of sales);
    # nobody ever calls. Late by Mon 09:15 -> Wed 00:00 EST, the period's end: 38h45m.
    converted(ny(10, 31, 11), "D"),
    handoff(ny(10, 31, 11), "D", rep="rep-c", team="enterprise"),
    # E: decided on Thu 29 Oct, before the period: not in the report.
    *_mid_market("E", ny(10, 29, 10), "rep-a", "inbound-east"),
    attempt(ny(10, 29, 10, 10), "E", rep="rep-a"),
    # F and G: handed off Mon 19 Oct 10:00 PDT to inbound-west (08:00-17:00 Pacific); their
    # follow-up period (6 attempts in 10 business days, the handoff day the first) ends at the
    # close of Fri 30 Oct, 17:00 PDT, in the period.
    # F was tried twice, never reached: a depth breach with 2 attempts against 6.
    # G was reached on its first call: the period ended without a breach.
    *_mid_market("F", ny(10, 19, 13), "rep-w", "inbound-west"),
    attempt(ny(10, 19, 13, 5), "F", rep="rep-w"),
    attempt(ny(10, 20, 13), "F", rep="rep-w"),
    *_mid_market("G", ny(10, 19, 13), "rep-w", "inbound-west"),
    attempt(ny(10, 19, 13, 10), "G", rep="rep-w", outcome="connected"),
    # H: after the period (Wed 4 Nov): left out, and so is anything it would decide.
    *_mid_market("H", ny(11, 4, 10), "rep-a", "inbound-east"),
]
LINES = [as_json_line(e) for e in EVENTS]

WALL_A = 65 * 3600 + 50 * 60  # Fri 20:30 UTC -> Mon 14:20 UTC: 237,000 s
LATE_D = 38 * 3600 + 45 * 60
