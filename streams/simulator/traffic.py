"""A pure model of lead traffic: who converts, who gets the lead, and how the rep behaves.

No I/O and no clock reading: ``TrafficModel.schedule(start)`` turns a seeded
``random.Random`` into an endless, time-ordered stream of ``ScheduledEvent`` (and,
with ``bad_rate``, some deliberately broken ``ScheduledRaw`` records). Each lead's
whole life is drawn when it arrives; lives are merged with a heap. Arrivals are a
Poisson process, thinned outside New York business hours.

The mix is tuned for the demo: most reps call promptly, but enough leads are
called late or never that warnings and breaches show within minutes, and the
very first lead is an enterprise demo request that nobody calls (``showcase``).
"""

from __future__ import annotations

import heapq
import itertools
import json
import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import Iterator, Literal, Sequence, TypeVar, Union
from zoneinfo import ZoneInfo

from models.events import SCHEMA_VERSION, ContactAttempt, DealClosed, LeadConverted, LeadHandoff

Topic = Literal["conversions", "handoffs", "attempts", "deals"]
Behaviour = Literal["prompt", "slow", "never", "automated", "reassigned", "returned"]
T = TypeVar("T")

DEFAULT_SEED = 7
DEFAULT_LEADS_PER_HOUR = 40.0
SHOWCASE_DELAY = timedelta(minutes=2)

# Rep ids per team (3-5 each), matching the teams of the shipped example policy.
TEAMS: dict[str, tuple[str, ...]] = {
    "inbound-east": tuple(f"rep-east-{i}" for i in range(1, 5)),
    "inbound-west": tuple(f"rep-west-{i}" for i in range(1, 4)),
    "emea": tuple(f"rep-emea-{i}" for i in range(1, 5)),
    "enterprise": tuple(f"rep-ent-{i}" for i in range(1, 6)),
}
# Non-enterprise leads are spread over the regional teams.
REGIONAL_TEAMS: tuple[tuple[str, float], ...] = (("inbound-east", 0.45), ("inbound-west", 0.30), ("emea", 0.25))
SEGMENTS: tuple[tuple[str, float], ...] = (("enterprise", 0.15), ("mid-market", 0.35), ("smb", 0.50))
OFFERS: dict[str, tuple[tuple[str, float], ...]] = {
    "enterprise": (("demo-request", 0.45), ("contact-sales", 0.30), ("whitepaper", 0.25)),
    "other": (
        ("free-trial", 0.30), ("webinar", 0.25), ("ebook", 0.20), ("pricing-page", 0.15), ("contact-sales", 0.10)
    ),
}
VALUE_RANGE: dict[str, tuple[float, float]] = {
    "enterprise": (50_000, 500_000), "mid-market": (10_000, 80_000), "smb": (1_000, 15_000)
}
PERSONAS = ("economic-buyer", "champion", "technical-evaluator", "end-user")
QUALITIES = ("hot", "warm", "cold")
BEHAVIOURS: tuple[tuple[Behaviour, float], ...] = (
    ("prompt", 0.55), ("slow", 0.20), ("never", 0.12),
    ("automated", 0.05), ("reassigned", 0.04), ("returned", 0.04),
)
BUSINESS_TZ = ZoneInfo("America/New_York")


@dataclass(frozen=True)
class ScheduledEvent:
    at: datetime
    topic: Topic
    event: Union[LeadConverted, LeadHandoff, ContactAttempt, DealClosed]

    @property
    def key(self) -> bytes:
        return self.event.lead_id.encode()


@dataclass(frozen=True)
class ScheduledRaw:
    """A deliberately invalid record, so the dead-letter path has something to show."""

    at: datetime
    topic: Topic
    payload: bytes
    key: bytes | None = None


Scheduled = Union[ScheduledEvent, ScheduledRaw]


@dataclass(frozen=True)
class LeadProfile:
    source: Literal["marketing", "sales"]
    segment: str
    offer: str
    persona: str
    quality: str
    value: float | None
    team: str
    rep: str
    behaviour: Behaviour


def weighted(rng: random.Random, choices: Sequence[tuple[T, float]]) -> T:
    values, weights = zip(*choices)
    return rng.choices(values, weights)[0]


def draw_profile(rng: random.Random) -> LeadProfile:
    segment = weighted(rng, SEGMENTS)
    team = "enterprise" if segment == "enterprise" else weighted(rng, REGIONAL_TEAMS)
    low, high = VALUE_RANGE[segment]
    return LeadProfile(
        source="marketing" if rng.random() < 0.8 else "sales",
        segment=segment,
        offer=weighted(rng, OFFERS["enterprise" if segment == "enterprise" else "other"]),
        persona=rng.choice(PERSONAS),
        quality=rng.choice(QUALITIES),
        value=round(rng.uniform(low, high), -2) if rng.random() < 0.5 else None,
        team=team,
        rep=rng.choice(TEAMS[team]),
        behaviour=weighted(rng, BEHAVIOURS),
    )


def showcase_profile(rng: random.Random) -> LeadProfile:
    """An enterprise demo request nobody calls: breaches the tightest target early."""
    base = draw_profile(rng)
    return replace(base, source="marketing", segment="enterprise", offer="demo-request",
                   team="enterprise", rep=rng.choice(TEAMS["enterprise"]), behaviour="never")


def minutes(rng: random.Random, low: float, high: float) -> timedelta:
    """A whole number of seconds between low and high minutes (whole seconds keep the
    Kafka millisecond timestamp equal to the event time)."""
    return timedelta(seconds=round(rng.uniform(low * 60, high * 60)))


class _Life:
    """Accumulates one lead's events with deterministic ids ``<lead>-e<n>``."""

    def __init__(self, lead_id: str) -> None:
        self.lead_id = lead_id
        self.events: list[ScheduledEvent] = []

    def add(self, topic: Topic, at: datetime, model: type, **fields: object) -> None:
        event = model(schema_version=SCHEMA_VERSION, event_id=f"{self.lead_id}-e{len(self.events) + 1}",
                      lead_id=self.lead_id, occurred_at=at, **fields)
        self.events.append(ScheduledEvent(at, topic, event))

    def attempt(self, at: datetime, rep: str, outcome: str, channel: str = "call", automated: bool = False) -> None:
        self.add("attempts", at, ContactAttempt, rep=rep, channel=channel, outcome=outcome, automated=automated)


def lead_life(lead_id: str, t0: datetime, profile: LeadProfile, rng: random.Random) -> list[ScheduledEvent]:
    """Conversion at t0, assignment 1-5 minutes later, then what the rep does."""
    life = _Life(lead_id)
    life.add("conversions", t0, LeadConverted, source=profile.source, segment=profile.segment,
             offer=profile.offer, persona=profile.persona, quality=profile.quality, value=profile.value)
    handed = t0 + minutes(rng, 1, 5)
    life.add("handoffs", handed, LeadHandoff, action="assign", owner_rep=profile.rep, team=profile.team)
    _rep_behaviour(life, handed, profile, rng)
    return life.events


def _rep_behaviour(life: _Life, handed: datetime, p: LeadProfile, rng: random.Random) -> None:
    if p.behaviour == "prompt":
        _calls(life, p.rep, handed + minutes(rng, 1, 8), rng)
    elif p.behaviour == "slow":  # after any target: 20 minutes to 3 hours
        _calls(life, p.rep, handed + minutes(rng, 20, 180), rng)
    elif p.behaviour == "automated":  # marketing automation mails within seconds; a rep may call later
        life.attempt(handed + timedelta(seconds=rng.randint(5, 60)), p.rep, "other", "email", automated=True)
        if rng.random() < 0.5:
            _calls(life, p.rep, handed + minutes(rng, 15, 240), rng)
    elif p.behaviour == "reassigned":
        moved = handed + minutes(rng, 3, 30)
        new_rep = rng.choice([r for r in TEAMS[p.team] if r != p.rep])
        life.add("handoffs", moved, LeadHandoff, action="reassign", owner_rep=new_rep, team=p.team)
        _calls(life, new_rep, moved + minutes(rng, 1, 10), rng)
    elif p.behaviour == "returned":
        life.add("handoffs", handed + minutes(rng, 5, 90), LeadHandoff, action="return",
                 team=p.team, reason="disqualified")
    # "never": nobody touches the lead.


def _calls(life: _Life, rep: str, first: datetime, rng: random.Random) -> None:
    """A first call, then follow-ups hours to a day apart until connected or given up."""
    at, connect_chance = first, 0.45
    for _ in range(rng.randint(2, 6)):
        connected = rng.random() < connect_chance
        life.attempt(at, rep, "connected" if connected else rng.choice(("no_answer", "voicemail")))
        if connected:
            return
        at, connect_chance = at + minutes(rng, 120, 26 * 60), 0.25


def bad_record(lead_id: str, at: datetime, rng: random.Random) -> ScheduledRaw:
    """One of three producer bugs: truncated JSON, a future schema, a 1970 timestamp."""
    document = {"schema_version": SCHEMA_VERSION, "event_id": f"{lead_id}-bad", "lead_id": lead_id,
                "occurred_at": at.isoformat(), "kind": "lead_converted", "source": "marketing", "segment": "smb"}
    flaw = rng.choice(("malformed_json", "schema_version", "timestamp"))
    if flaw == "schema_version":
        document["schema_version"] = SCHEMA_VERSION + 1
    elif flaw == "timestamp":
        document["occurred_at"] = "1970-01-01T00:00:00+00:00"
    payload = json.dumps(document).encode()
    if flaw == "malformed_json":
        payload = payload[: len(payload) // 2]
    return ScheduledRaw(at, "conversions", payload, key=lead_id.encode())


def arrival_intensity(at: datetime) -> float:
    """Share of the peak arrival rate at ``at``: full in New York business hours."""
    local = at.astimezone(BUSINESS_TZ)
    if local.weekday() >= 5:
        return 0.1
    return 1.0 if 8 <= local.hour < 19 else 0.3


class TrafficModel:
    """Lead traffic at ``leads_per_hour`` (peak, in business hours), drawn from ``rng``.

    The rng's state is captured at construction, so every ``schedule`` call on the
    same model yields the same stream; build a new model for another stream.
    """

    def __init__(self, rng: random.Random, leads_per_hour: float = DEFAULT_LEADS_PER_HOUR, *,
                 bad_rate: float = 0.0, showcase: bool = True, deals: bool = False) -> None:
        """``deals``: connected leads may close a deal later (streams.simulator.deals)."""
        if leads_per_hour <= 0:
            raise ValueError(f"leads_per_hour must be positive, not {leads_per_hour!r}")
        if not 0 <= bad_rate <= 1:
            raise ValueError(f"bad_rate must be between 0 and 1, not {bad_rate!r}")
        self._state = rng.getstate()
        self.leads_per_hour = leads_per_hour
        self.bad_rate = bad_rate
        self.showcase = showcase
        self.deals = deals

    def schedule(self, start: datetime) -> Iterator[Scheduled]:
        """Endless stream of records at or after ``start``, in non-decreasing ``at``."""
        rng = random.Random()
        rng.setstate(self._state)
        heap: list[tuple[datetime, int, Scheduled]] = []
        order = itertools.count()  # tie-break: equal times keep their push order
        for lead_number, (t0, profile) in enumerate(self._arrivals(_utc(start), rng), start=1):
            # No later arrival can schedule anything before t0, so everything earlier is final.
            while heap and heap[0][0] <= t0:
                yield heapq.heappop(heap)[2]
            for item in self._records(f"L-{lead_number:06d}", t0, profile, rng):
                heapq.heappush(heap, (item.at, next(order), item))

    def events_between(self, start: datetime, end: datetime) -> list[Scheduled]:
        """The prefix of ``schedule(start)`` before ``end`` (leads converted before
        ``start`` are not modelled)."""
        return list(itertools.takewhile(lambda item: item.at < end, self.schedule(start)))

    def _arrivals(self, start: datetime, rng: random.Random) -> Iterator[tuple[datetime, LeadProfile]]:
        at, rate_per_second = start, self.leads_per_hour / 3600
        if self.showcase:  # arrivals must come in time order, so Poisson traffic resumes after it
            at = start + SHOWCASE_DELAY
            yield at, showcase_profile(rng)
        while True:
            # Poisson process at the peak rate, thinned by the time-of-day intensity.
            at += timedelta(seconds=round(rng.expovariate(rate_per_second)))
            if rng.random() < arrival_intensity(at):
                yield at, draw_profile(rng)

    def _records(self, lead_id: str, t0: datetime, profile: LeadProfile, rng: random.Random) -> list[Scheduled]:
        life = lead_life(lead_id, t0, profile, rng)
        records: list[Scheduled] = list(life)
        if self.deals:
            from streams.simulator.deals import deal_for  # it builds on this module
            records += deal_for(lead_id, profile, life)
        if self.bad_rate and rng.random() < self.bad_rate:
            records.append(bad_record(lead_id, t0 + minutes(rng, 0, 1), rng))
        return records


def _utc(value: datetime) -> datetime:
    """UTC, rounded up to a whole second: every offset is whole seconds too, so event
    times are whole seconds and the Kafka millisecond timestamp is exactly the event time."""
    if value.tzinfo is None:
        raise ValueError("start must be timezone-aware")
    value = value.astimezone(timezone.utc)
    return value + (timedelta(microseconds=1_000_000 - value.microsecond) if value.microsecond else timedelta())
