"""Hand-checkable lead histories, shared by the integration and end-to-end tests.

Monday 2 March 2026, 10:00 in New York is 15:00 UTC (US DST starts 8 March).
Targets from the example policy: enterprise-demo 15m (warn at 10m, escalations
+15m and +1h), mid-market 1h (warn at 45m, escalations +30m and +4h).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from models.events import ContactAttempt, LeadConverted, LeadHandoff

MONDAY_10_ET = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)


def at(minutes: float) -> datetime:
    return MONDAY_10_ET + timedelta(minutes=minutes)


def converted(lead: str, segment: str, offer: str | None = None, minutes: float = -5, source: str = "marketing"):
    return LeadConverted(schema_version=1, event_id=f"{lead}-c", lead_id=lead, occurred_at=at(minutes),
                         source=source, segment=segment, offer=offer)


def handoff(lead: str, rep: str, team: str, minutes: float = 0, action: str = "assign", n: int = 1):
    return LeadHandoff(schema_version=1, event_id=f"{lead}-h{n}", lead_id=lead, occurred_at=at(minutes),
                       action=action, owner_rep=rep if action != "return" else None,
                       team=team if action != "return" else None)


def attempt(lead: str, rep: str, minutes: float, outcome: str = "no_answer", n: int = 1, automated: bool = False):
    return ContactAttempt(schema_version=1, event_id=f"{lead}-a{n}", lead_id=lead, occurred_at=at(minutes),
                          rep=rep, channel="email" if automated else "call", outcome=outcome, automated=automated)


def four_leads(tag: str = "") -> list:
    """met in time / never called / called late / returned, in event-time order."""
    met, never, late, back = (f"L-{name}{tag}" for name in ("met", "never", "late", "returned"))
    events = [
        converted(met, "enterprise", "demo-request"), converted(never, "enterprise", "demo-request"),
        converted(late, "mid-market"), converted(back, "smb"),
        handoff(met, "rep-ent-1", "enterprise"), handoff(never, "rep-ent-2", "enterprise"),
        handoff(late, "rep-east-1", "inbound-east"), handoff(back, "rep-east-2", "inbound-east"),
        attempt(met, "rep-ent-1", 5, "connected"),
        handoff(back, "", "", minutes=30, action="return", n=2),
        attempt(late, "rep-east-1", 80),
    ]
    return sorted(events, key=lambda e: e.occurred_at)


def expected_four_lead_outcomes(tag: str = "") -> set[str]:
    met, never, late, back = (f"L-{name}{tag}" for name in ("met", "never", "late", "returned"))
    return {
        f"{met}/1/opened", f"{met}/1/met",
        f"{never}/1/opened", f"{never}/1/warning", f"{never}/1/breached", f"{never}/1/escalated/1",
        f"{never}/1/escalated/2", f"{never}/1/depth_breached",
        f"{late}/1/opened", f"{late}/1/warning", f"{late}/1/breached", f"{late}/1/contacted_late",
        f"{late}/1/depth_breached",
        f"{back}/1/opened", f"{back}/1/returned",
    }
