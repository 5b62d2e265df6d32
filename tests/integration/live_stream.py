"""A live stream of simulated CRM events for the fault suite, stamped with the real time.

The worker's clock is the real one, so a live stream must be stamped "now" as it is
sent. ``FAULT_POLICY`` makes every decision of a lead fall within about 15 s of its
handoff (warning, breach, two escalations, the follow-up period), so a stream of a
few seconds exercises every outcome kind and settles soon after it ends.

A seeded script says, per lead, what happens and how many seconds after the stream's
start; the sender thread waits for each moment, stamps the event and produces it at
once (acknowledged), so events reach the broker in event-time order, well within the
policy's allowed lateness. Poison records (not JSON, a 5,000-digit number, a wrong
kind, an invalid field) are sent among them.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kafka import KafkaProducer

from models.events import ContactAttempt, LeadConverted, LeadHandoff
from streams.runtime.settings import TopicNames

FAULT_POLICY = """
version: 1
allowed_lateness: 3s
default_calendar: always
calendars:
  always:
    timezone: UTC
    hours: {mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"],
            fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"]}
teams:
  team-a: {calendar: always}
  team-b: {calendar: always}
segments:
  - name: fast
    match: {}
    speed_to_lead:
      target: 5s
      clock: 24x7
      warn_before: 2s
      escalations:
        - {after: 2s, notify: manager}
        - {after: 5s, notify: head_of_sales}
    follow_up: {attempts: 3, within: 10s, clock: 24x7}
"""

POISON = (
    b"not json at all",
    b'{"schema_version": 1, "kind": "contact_attempt", "value": ' + b"9" * 5000 + b"}",
    b'{"schema_version": 1, "kind": "handoff", "event_id": "p-1"}',
    b"[1, 2, 3]",
)


@dataclass(frozen=True)
class Planned:
    """One record of the script: when (seconds after the start), where, and what."""

    at_s: float
    topic_field: str  # a TopicNames field: conversions, handoffs or attempts
    build: object  # (occurred_at) -> event model; or bytes for a poison record
    key: bytes


def lead_script(seed: int, leads: int, span_s: float, poison_every: int = 0) -> list[Planned]:
    """``leads`` leads starting over ``span_s`` seconds, each on one of several paths
    (met, late, never called, returned, reassigned, several unanswered attempts)."""
    rng = random.Random(seed)
    planned: list[Planned] = []
    for n in range(leads):
        start = span_s * n / leads
        planned.extend(_one_lead(rng, f"F-{seed}-{n:04d}", start))
        if poison_every and n % poison_every == poison_every - 1:
            planned.append(Planned(start + 0.05, rng.choice(["conversions", "handoffs", "attempts"]),
                                   POISON[(n // poison_every) % len(POISON)], f"P-{n}".encode()))
    return sorted(planned, key=lambda p: p.at_s)


def _one_lead(rng: random.Random, lead: str, start: float) -> list[Planned]:
    team = rng.choice(["team-a", "team-b"])
    rep = f"rep-{team}-{rng.randint(1, 3)}"
    key = lead.encode()
    plan = [Planned(start, "conversions", _converted(lead), key),
            Planned(start + 0.3, "handoffs", _handoff(lead, rep, team, "assign", 1), key)]
    handed = start + 0.3
    path = rng.choice(["met", "late", "never", "returned", "reassigned", "unanswered"])
    if path == "met":
        plan.append(Planned(handed + rng.uniform(0.5, 3.5), "attempts", _attempt(lead, rep, 1, "connected"), key))
    elif path == "late":
        plan.append(Planned(handed + rng.uniform(6, 9), "attempts", _attempt(lead, rep, 1, "connected"), key))
    elif path == "returned":
        plan.append(Planned(handed + rng.uniform(0.5, 4), "handoffs", _handoff(lead, None, None, "return", 2), key))
    elif path == "reassigned":
        other = f"rep-{team}-9"
        plan.append(Planned(handed + 1, "handoffs", _handoff(lead, other, team, "reassign", 2), key))
        plan.append(Planned(handed + rng.uniform(2, 7), "attempts", _attempt(lead, other, 1, "voicemail"), key))
    elif path == "unanswered":
        for n in range(1, rng.randint(2, 4)):
            plan.append(Planned(handed + n * rng.uniform(1, 2.5), "attempts", _attempt(lead, rep, n, "no_answer"), key))
    return plan


def _converted(lead: str):
    return lambda now: LeadConverted(schema_version=1, event_id=f"{lead}-c", lead_id=lead, occurred_at=now,
                                     source="marketing", segment="smb")


def _handoff(lead: str, rep: str | None, team: str | None, action: str, n: int):
    return lambda now: LeadHandoff(schema_version=1, event_id=f"{lead}-h{n}", lead_id=lead, occurred_at=now,
                                   action=action, owner_rep=rep, team=team)


def _attempt(lead: str, rep: str, n: int, outcome: str):
    return lambda now: ContactAttempt(schema_version=1, event_id=f"{lead}-a{n}", lead_id=lead, occurred_at=now,
                                      rep=rep, channel="call", outcome=outcome)


@dataclass
class LiveStream:
    """Sends a script in a thread, in real time; ``pause()``/``resume()`` hold it back
    (the CRM waiting while the broker is away)."""

    bootstrap: str
    topics: TopicNames
    script: list[Planned]
    sent: int = 0
    poison_sent: int = 0
    error: BaseException | None = None
    _thread: threading.Thread | None = None
    _go: threading.Event = field(default_factory=threading.Event)
    _sending: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> "LiveStream":
        self._go.set()
        self._thread = threading.Thread(target=self._run, name="live-stream", daemon=True)
        self._thread.start()
        return self

    def pause(self) -> None:
        """Hold the stream back; returns once no send is in flight, so nothing is produced
        from here on (a send caught by a stalled broker would arrive late, stamped early)."""
        self._go.clear()
        with self._sending:
            pass

    def resume(self) -> None:
        self._go.set()

    def wait(self, timeout_s: float = 120) -> None:
        assert self._thread is not None
        self._thread.join(timeout_s)
        assert not self._thread.is_alive(), "the live stream did not finish"
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=0, retries=20)
        try:
            begin = time.monotonic()
            for item in self.script:
                begin = self._send_when_due(producer, item, begin)
        except BaseException as error:  # noqa: BLE001 - reported by wait()
            self.error = error
        finally:
            producer.close(timeout=5)

    def _send_when_due(self, producer: KafkaProducer, item: Planned, begin: float) -> float:
        """Sends ``item`` at its time on the script, never while paused; the schedule
        shifts by the time held. Returns the shifted start."""
        while True:
            if not self._go.is_set():
                held = time.monotonic()
                self._go.wait()
                begin += time.monotonic() - held
            left = begin + item.at_s - time.monotonic()
            if left > 0:
                time.sleep(min(left, 0.05))
                continue
            with self._sending:
                if self._go.is_set():
                    self._send(producer, item)
                    return begin

    def _send(self, producer: KafkaProducer, item: Planned) -> None:
        topic = getattr(self.topics, item.topic_field)
        if isinstance(item.build, bytes):
            value, self.poison_sent = item.build, self.poison_sent + 1
        else:
            value = item.build(datetime.now(timezone.utc)).model_dump_json(exclude_none=True).encode()
        producer.send(topic, key=item.key, value=value).get(timeout=60)
        self.sent += 1
