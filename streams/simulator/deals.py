"""Closed deals for the simulated traffic: the closed loop's data, so the demo shows it all.

- ``deal_for``: a lead a rep connected with may become a deal, won or lost, days to weeks
  after the connect. Decided by a generator seeded with the lead id, so adding deals
  leaves the rest of the traffic exactly as it was.
- ``closed_loop_history``: marketing leads of the twelve months before the start and the
  deals they closed before it, so the closed loop has a window to learn from from the
  first minute (its window ends months before the current one). Pure: no I/O, no clock.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Sequence
from zoneinfo import ZoneInfo

from models.closed_loop import Month
from models.events import SCHEMA_VERSION, DealClosed, LeadConverted
from streams.simulator.traffic import OFFERS, SEGMENTS, VALUE_RANGE, LeadProfile, ScheduledEvent, weighted

DEAL_CHANCE = 0.35  # of connected leads
WIN_CHANCE = 0.45
HISTORY_MONTHS = 12
HISTORY_LEADS_PER_MONTH = 30
# Every month's first leads cover each kind of lead the example policy's goal groups select, and
# win a deal, so each group has a close rate and a deal size to learn; the rest are drawn at random.
COVERING = (("enterprise", "demo-request"), ("enterprise", "contact-sales"), ("enterprise", "whitepaper"),
            ("mid-market", "webinar"), ("smb", "ebook"))
MONTH_ZONE = ZoneInfo("America/New_York")


def deal_for(lead_id: str, profile: LeadProfile, events: Sequence[ScheduledEvent]) -> list[ScheduledEvent]:
    connects = [e.at for e in events if e.topic == "attempts" and e.event.outcome == "connected"]
    rng = random.Random(f"deal:{lead_id}")
    if not connects or rng.random() >= DEAL_CHANCE:
        return []
    closed = connects[0] + timedelta(seconds=round(rng.uniform(3, 20) * 86400))
    amount = profile.value or round(rng.uniform(*VALUE_RANGE[profile.segment]), -2)
    return [_deal(lead_id, closed, rng.random() < WIN_CHANCE, amount)]


def closed_loop_history(start: datetime, seed: int = 7) -> list[ScheduledEvent]:
    """Conversions in each of the months before ``start``'s and the deals they closed before
    ``start``, in time order."""
    rng = random.Random(f"history:{seed}")
    this_month = Month.of(start, MONTH_ZONE)
    items: list[ScheduledEvent] = []
    for back in range(HISTORY_MONTHS, 0, -1):
        month = this_month.plus(-back)
        for n in range(HISTORY_LEADS_PER_MONTH):
            items += _past_lead(f"H-{month}-{n:03d}", month, rng, start, COVERING[n] if n < len(COVERING) else None)
    return sorted(items, key=lambda item: item.at)


def _past_lead(lead_id: str, month: Month, rng: random.Random, start: datetime,
               kind: tuple[str, str] | None) -> list[ScheduledEvent]:
    segment = kind[0] if kind else weighted(rng, SEGMENTS)
    offer = kind[1] if kind else weighted(rng, OFFERS["enterprise" if segment == "enterprise" else "other"])
    converted = month.start(MONTH_ZONE) + timedelta(seconds=round(rng.uniform(0, 27 * 86400)))
    conversion = LeadConverted(schema_version=SCHEMA_VERSION, event_id=f"{lead_id}-c", lead_id=lead_id,
                               occurred_at=converted, source="marketing", segment=segment, offer=offer)
    items = [ScheduledEvent(converted, "conversions", conversion)]
    closed = converted + timedelta(seconds=round(rng.uniform(10, 100) * 86400))
    amount = round(rng.uniform(*VALUE_RANGE[segment]), -2)
    if (kind is not None or rng.random() < 0.3) and closed < start:
        items.append(_deal(lead_id, closed, kind is not None or rng.random() < 0.5, amount))
    return items


def _deal(lead_id: str, closed: datetime, won: bool, amount: float) -> ScheduledEvent:
    deal = DealClosed(schema_version=SCHEMA_VERSION, event_id=f"{lead_id}-deal", lead_id=lead_id,
                      deal_id=f"D-{lead_id}", occurred_at=closed, status="won" if won else "lost", amount=amount)
    return ScheduledEvent(closed, "deals", deal)
