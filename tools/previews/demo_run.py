"""A simulated pipeline to point Prometheus at: ``leadsla run --simulate`` against a broker,
plus, in every policy segment, one lead called at once (a voicemail) and one left unconnected
a month ago, so every panel has something to show (a short run never sees a period end).

Shared by the end-to-end test and the preview renderer (tools.previews).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from models.attempts import period_end
from models.events import ContactAttempt, LeadConverted, LeadHandoff
from models.policy import Policy, Segment
from streams.kafka.admin import produce
from streams.kafka.codec import encode
from streams.runtime.settings import Settings, TopicNames

COVER_PREFIX = "L-cover"
STALE_PREFIX = "L-stale"


def run_env(settings: Settings, workdir: Path) -> dict[str, str]:
    """The environment that gives a ``leadsla`` child process these settings (streams.runtime.settings)."""
    return dict(os.environ, LEADSLA_APP_ID=settings.app_id, LEADSLA_TOPIC_PREFIX=settings.topic_prefix,
                LEADSLA_PARTITIONS=str(settings.partitions), LEADSLA_TICK_INTERVAL=str(settings.tick_interval_s),
                LEADSLA_METRICS_PORT=str(settings.metrics_port), LEADSLA_DATA_DIR=str(workdir / "data"))


def start_simulated_run(bootstrap: str, env: dict[str, str], workdir: Path, seconds: float,
                        bad_rate: float = 0.05) -> subprocess.Popen:
    """``leadsla run --simulate --no-view`` (worker + simulator on the 60x demo clock) as a child process."""
    log = open(workdir / "run.log", "wb")
    command = [sys.executable, "-m", "streams.cli", "run", "--simulate", "--no-view", "--broker", bootstrap,
               "--seconds", str(seconds), "--bad-rate", str(bad_rate)]
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)


def attributes_for(segment: Segment, policy: Policy) -> dict[str, str]:
    """Lead attributes that land in ``segment`` (its match, first choice of each list)."""
    attributes = {"source": "marketing", "segment": "unlisted"}
    for key, wanted in segment.match.items():
        attributes[key] = wanted if isinstance(wanted, str) else wanted[0]
    found = policy.segment_for(attributes)
    if found is None or found.name != segment.name:
        raise ValueError(f"no simple lead lands in segment {segment.name!r} (an earlier segment catches it)")
    return attributes


def every_segment_leads(policy: Policy, now: datetime) -> list:
    """One lead per segment, converted at ``now``, handed off a minute later and called a minute
    after that (a voicemail: contacted in time, still unconnected in its follow-up period). Times
    the run's clock has not reached: the call, on its own topic, is read before the watermark
    passes any deadline, however long after the run's start these are produced."""
    teams = sorted(policy.teams) or ["sales"]
    events: list = []
    for number, segment in enumerate(policy.segments):
        lead, team = f"{COVER_PREFIX}-{segment.name}", teams[number % len(teams)]
        common = dict(schema_version=1, lead_id=lead)
        events += [
            LeadConverted(**common, event_id=f"{lead}-c", occurred_at=now, **attributes_for(segment, policy)),
            LeadHandoff(**common, event_id=f"{lead}-h", occurred_at=now + timedelta(minutes=1),
                        owner_rep=f"rep-cover-{number}", team=team),
            ContactAttempt(**common, event_id=f"{lead}-a", occurred_at=now + timedelta(minutes=2),
                           rep=f"rep-cover-{number}", channel="call", outcome="voicemail"),
        ]
    return events


def stale_unconnected_leads(policy: Policy, now: datetime) -> list:
    """One lead per segment with a follow-up target, handed off one and a half follow-up periods
    before ``now`` and tried twice without a connect: its period ended lately (within the last
    period length, the timeframe depth is judged over), so depth panels have something to judge."""
    teams = sorted(policy.teams) or ["sales"]
    events: list = []
    for number, segment in enumerate(s for s in policy.segments if s.follow_up):
        team = teams[number % len(teams)]
        lead, handed = f"{STALE_PREFIX}-{segment.name}", _ended_lately(segment, policy, team, now)
        common = dict(schema_version=1, lead_id=lead)
        events += [
            LeadConverted(**common, event_id=f"{lead}-c", occurred_at=handed - timedelta(minutes=1),
                          **attributes_for(segment, policy)),
            LeadHandoff(**common, event_id=f"{lead}-h", occurred_at=handed, owner_rep=f"rep-stale-{number}",
                        team=team),
        ] + [ContactAttempt(**common, event_id=f"{lead}-a{n}", occurred_at=handed + timedelta(hours=n),
                            rep=f"rep-stale-{number}", channel="call", outcome="no_answer") for n in (1, 26)]
    return events


def _ended_lately(segment: Segment, policy: Policy, team: str, now: datetime) -> datetime:
    """A handoff time whose follow-up period ended half a period before ``now``."""
    calendar = policy.calendar_for(segment, team)
    guess = now - timedelta(days=30)
    length = period_end(segment, calendar, guess) - guess
    return now - 1.5 * length


def demo_leads(policy: Policy, now: datetime) -> list:
    return every_segment_leads(policy, now) + stale_unconnected_leads(policy, now)


def produce_events(bootstrap: str, topics: TopicNames, events) -> None:
    """Each to its input topic, keyed by lead, with the event time as the record time (as the CRM would)."""
    by_kind = {"lead_converted": topics.conversions, "handoff": topics.handoffs, "contact_attempt": topics.attempts}
    for event in events:
        produce(bootstrap, by_kind[event.kind], [(event.lead_id.encode(), encode(event))],
                timestamp_ms=round(event.occurred_at.timestamp() * 1000))


def produce_broken_record(bootstrap: str, topics: TopicNames) -> None:
    """A truncated JSON document, so the dead-letter panels have a reason to show."""
    produce(bootstrap, topics.conversions, [(b"L-broken", b'{"schema_version": 1, "lead_id": ')])
