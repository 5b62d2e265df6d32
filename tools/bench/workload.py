"""The benchmark's input: realistic lead lives (streams.simulator.traffic), cut or padded to exactly N events."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from models.events import SCHEMA_VERSION, ContactAttempt
from streams.kafka.codec import encode
from streams.simulator.traffic import ScheduledEvent, draw_profile, lead_life, minutes

START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)  # Monday 09:00 New York
SEED, MEAN_ARRIVAL_S = 7, 20.0  # a lead converts about every 20 s of event time

Record = tuple[str, bytes, bytes, int]  # TopicNames field, key, value, timestamp in ms


def generate(events: int, leads: int) -> list[Record]:
    """Realistic lead lives (streams.simulator.traffic), padded with follow-up attempts or cut in
    time order to exactly ``events``; in event-time order, as a CRM would send them."""
    rng = random.Random(SEED)
    at, lives = START, []
    for number in range(1, leads + 1):
        at += timedelta(seconds=round(rng.expovariate(1 / MEAN_ARRIVAL_S)))
        profile = draw_profile(rng)
        lives.append((profile, lead_life(f"B-{number:07d}", at, profile, rng)))
    missing = events - sum(len(life) for _, life in lives)
    for index, (profile, life) in enumerate(lives):
        for _ in range(missing // leads + (index < missing % leads)):
            life.append(_follow_up(life, profile.rep, rng))
    scheduled = sorted((item for _, life in lives for item in life), key=lambda item: item.at)[:events]
    return [(item.topic, item.key, encode(item.event), round(item.at.timestamp() * 1000)) for item in scheduled]


def _follow_up(life: list[ScheduledEvent], rep: str, rng: random.Random) -> ScheduledEvent:
    """One more touch, an hour to a day after the lead's last event."""
    last = life[-1]
    event = ContactAttempt(schema_version=SCHEMA_VERSION, event_id=f"{last.event.lead_id}-e{len(life) + 1}",
                           lead_id=last.event.lead_id, occurred_at=last.at + minutes(rng, 60, 24 * 60), rep=rep,
                           channel=rng.choice(("call", "email")),
                           outcome=rng.choice(("no_answer", "voicemail", "connected", "other")))
    return ScheduledEvent(event.occurred_at, "attempts", event)

