"""Pure tests of the traffic model, the clocks and the simulator loop (no broker)."""

from __future__ import annotations

import json
import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone

import pytest

from models.events import ContactAttempt, LeadConverted, LeadHandoff
from streams.kafka.codec import InvalidMessage, decode_event, encode
from streams.runtime.clock import AcceleratedClock, SystemClock, demo_start, wall_seconds_until
from streams.runtime.settings import TopicNames
from streams.simulator.feed import feed, generate_jsonl
from streams.simulator.traffic import (
    DEFAULT_SEED,
    TEAMS,
    ScheduledEvent,
    ScheduledRaw,
    TrafficModel,
)

START = datetime(2026, 3, 2, 14, 0, tzinfo=timezone.utc)  # Monday 09:00 New York (EST)
KIND_BY_TOPIC = {"conversions": "lead_converted", "handoffs": "handoff", "attempts": "contact_attempt"}


def default_model(**options) -> TrafficModel:
    return TrafficModel(random.Random(DEFAULT_SEED), **options)


def events(model: TrafficModel, hours: float) -> list[ScheduledEvent]:
    return [e for e in model.events_between(START, START + timedelta(hours=hours)) if isinstance(e, ScheduledEvent)]


def lives(items: list[ScheduledEvent]) -> dict[str, list[ScheduledEvent]]:
    grouped: dict[str, list[ScheduledEvent]] = defaultdict(list)
    for item in items:
        grouped[item.event.lead_id].append(item)
    return grouped


def lives_converted_within(hours: float, lookahead_hours: float = 8) -> dict[str, list[ScheduledEvent]]:
    """Leads converted in the first ``hours``, with ``lookahead_hours`` more of their
    lives (so a lead converted just before the end still has its assignment)."""
    grouped = lives(events(default_model(), hours + lookahead_hours))
    return {lead: life for lead, life in grouped.items() if life[0].at < START + timedelta(hours=hours)}


# --- traffic model ----------------------------------------------------------------


def test_same_seed_gives_identical_schedule():
    assert default_model().events_between(START, START + timedelta(hours=6)) == default_model().events_between(
        START, START + timedelta(hours=6)
    )


def test_a_model_replays_the_same_stream_and_other_seeds_differ():
    model = default_model()
    assert model.events_between(START, START + timedelta(hours=2)) == model.events_between(
        START, START + timedelta(hours=2)
    )
    other = TrafficModel(random.Random(DEFAULT_SEED + 1)).events_between(START, START + timedelta(hours=2))
    assert other != model.events_between(START, START + timedelta(hours=2))


def test_schedule_is_ordered_and_within_bounds():
    items = default_model(bad_rate=0.05).events_between(START, START + timedelta(hours=12))
    times = [item.at for item in items]
    assert times == sorted(times)
    assert all(START <= t < START + timedelta(hours=12) for t in times)
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)


def test_every_event_validates_and_round_trips_through_the_codec():
    items = events(default_model(), hours=24)
    assert items
    for item in items:
        assert item.event.occurred_at == item.at
        decoded = decode_event(encode(item.event), expected_kind=KIND_BY_TOPIC[item.topic])
        assert decoded == item.event


def test_event_ids_are_unique_and_lead_lives_are_causal():
    items = events(default_model(), hours=24)
    assert len({item.event.event_id for item in items}) == len(items)
    for lead_id, life in lives_converted_within(hours=24).items():
        assert lead_id.startswith("L-") and len(lead_id) == 8
        assert isinstance(life[0].event, LeadConverted)
        assert isinstance(life[1].event, LeadHandoff) and life[1].event.action == "assign"
        assert timedelta(minutes=1) <= life[1].at - life[0].at <= timedelta(minutes=5)


def test_teams_reps_and_segments_match_the_policy():
    for life in lives_converted_within(hours=24).values():
        conversion, assignment = life[0].event, life[1].event
        assert assignment.team in TEAMS and assignment.owner_rep in TEAMS[assignment.team]
        assert (assignment.team == "enterprise") == (conversion.segment == "enterprise")
        if conversion.segment == "enterprise":
            assert conversion.offer in ("demo-request", "contact-sales", "whitepaper")
    assert all(3 <= len(reps) <= 5 for reps in TEAMS.values())


def first_call_delay(life: list[ScheduledEvent]) -> timedelta | None:
    """Time from assignment to the first human attempt, or None if nobody ever calls."""
    calls = [i for i in life if isinstance(i.event, ContactAttempt) and not i.event.automated]
    return calls[0].at - life[1].at if calls else None


def test_first_hour_has_prompt_slow_and_uncalled_leads():
    first_hour = list(lives_converted_within(hours=1).values())
    delays = [first_call_delay(life) for life in first_hour]
    returned = [life for life in first_hour if any(getattr(i.event, "action", None) == "return" for i in life)]
    assert 25 <= len(first_hour) <= 60
    assert sum(d is None for d in delays) - len(returned) >= 2  # nobody calls these
    assert sum(d is not None and d <= timedelta(minutes=10) for d in delays) >= 10
    assert sum(d is not None and d >= timedelta(minutes=20) for d in delays) >= 3


def test_an_uncalled_enterprise_demo_request_arrives_early():
    """The demo's first breach: the tightest target, nobody calls, within 20 simulated minutes."""
    uncalled_demos = [
        life for life in lives_converted_within(hours=1 / 3).values()
        if (life[0].event.segment, life[0].event.offer) == ("enterprise", "demo-request")
        and len(life) == 2  # converted and assigned, then nothing for eight hours
    ]
    assert uncalled_demos


def test_whole_mix_shows_up_over_a_week():
    grouped = lives_converted_within(hours=24 * 7)
    attempts = [i.event for life in grouped.values() for i in life if i.topic == "attempts"]
    handoffs = [i.event for life in grouped.values() for i in life[2:] if i.topic == "handoffs"]
    assert any(a.automated and a.channel == "email" for a in attempts)
    assert {a.outcome for a in attempts} >= {"connected", "no_answer", "voicemail"}
    assert {h.action for h in handoffs} == {"reassign", "return"}
    assert all(h.reason == "disqualified" for h in handoffs if h.action == "return")
    sources = [life[0].event.source for life in grouped.values()]
    assert 0.7 < sources.count("marketing") / len(sources) < 0.9


def test_bad_records_are_rejected_by_the_codec():
    raws = [i for i in default_model(bad_rate=0.2).events_between(START, START + timedelta(hours=12))
            if isinstance(i, ScheduledRaw)]
    assert raws
    codes = set()
    for raw in raws:
        with pytest.raises(InvalidMessage) as rejected:
            decode_event(raw.payload, expected_kind=KIND_BY_TOPIC[raw.topic])
        codes.add(rejected.value.code)
    assert codes == {"malformed_json", "unknown_schema_version", "invalid_field"}


def test_event_times_are_whole_seconds_from_a_fractional_start():
    start = START + timedelta(microseconds=250)
    items = default_model().events_between(start, start + timedelta(hours=1))
    assert items and all(i.at >= start and i.at.microsecond == 0 for i in items)


def test_model_rejects_nonsense_arguments():
    with pytest.raises(ValueError):
        TrafficModel(random.Random(1), leads_per_hour=0)
    with pytest.raises(ValueError):
        TrafficModel(random.Random(1), bad_rate=2)
    with pytest.raises(ValueError):
        next(default_model().schedule(datetime(2026, 3, 2)))


def test_generate_jsonl_yields_decodable_lines():
    lines = list(generate_jsonl(default_model(bad_rate=0.5), START, START + timedelta(hours=1)))
    assert lines and all("\n" not in line for line in lines)
    assert [decode_event(line).event_id for line in lines] == [json.loads(line)["event_id"] for line in lines]


# --- clocks --------------------------------------------------------------------------


class FakeMonotonic:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


def test_accelerated_clock_runs_speed_times_faster():
    tick = FakeMonotonic()
    clock = AcceleratedClock(START, speed=60, monotonic=tick)
    assert clock.now() == START
    tick.value += 1.5
    assert clock.now() == START + timedelta(seconds=90)
    assert clock.wall_seconds_until(START + timedelta(minutes=3)) == pytest.approx(1.5)
    assert clock.wall_seconds_until(START) < 0
    assert wall_seconds_until(clock, START + timedelta(minutes=3)) == pytest.approx(1.5)


def test_clocks_are_utc_aware_and_validate():
    assert SystemClock().now().utcoffset() == timedelta(0)
    assert 0 < wall_seconds_until(SystemClock(), SystemClock().now() + timedelta(seconds=5)) <= 5
    with pytest.raises(ValueError):
        AcceleratedClock(START, speed=0)
    with pytest.raises(ValueError):
        AcceleratedClock(datetime(2026, 3, 2), speed=1)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Wednesday in winter (EST, UTC-5): that week's Monday 14:00 UTC.
        (datetime(2026, 1, 14, 18, 30, tzinfo=timezone.utc), datetime(2026, 1, 12, 14, tzinfo=timezone.utc)),
        # Sunday afternoon: the Monday six days earlier.
        (datetime(2026, 1, 18, 20, 0, tzinfo=timezone.utc), datetime(2026, 1, 12, 14, tzinfo=timezone.utc)),
        # Monday 02:00 UTC is still Sunday evening in New York.
        (datetime(2026, 1, 19, 2, 0, tzinfo=timezone.utc), datetime(2026, 1, 12, 14, tzinfo=timezone.utc)),
        # Summer (EDT, UTC-4).
        (datetime(2026, 7, 9, 12, 0, tzinfo=timezone.utc), datetime(2026, 7, 6, 13, tzinfo=timezone.utc)),
        # DST starts Sunday 2026-03-08: that week's Monday was still EST...
        (datetime(2026, 3, 8, 12, 0, tzinfo=timezone.utc), datetime(2026, 3, 2, 14, tzinfo=timezone.utc)),
        # ...and the next Monday is EDT.
        (datetime(2026, 3, 10, 12, 0, tzinfo=timezone.utc), datetime(2026, 3, 9, 13, tzinfo=timezone.utc)),
    ],
)
def test_demo_start_is_monday_opening_in_new_york(now, expected):
    assert demo_start(now) == expected
    assert demo_start(now).utcoffset() == timedelta(0)


# --- simulator loop (fake producer, fake time) ---------------------------------------


class FakeProducer:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes | None, int | None]] = []
        self.flushes = 0

    def send(self, topic, value, key, timestamp_ms):
        self.sent.append((topic, value, key, timestamp_ms))

    def flush(self):
        self.flushes += 1


class FakeStop:
    """Stands in for threading.Event: waiting advances the fake monotonic clock."""

    def __init__(self, tick: FakeMonotonic, stop_after_s: float = float("inf")) -> None:
        self.tick, self.stop_after_s, self.waited = tick, stop_after_s, 0.0

    def is_set(self) -> bool:
        return self.waited >= self.stop_after_s

    def wait(self, timeout: float) -> bool:
        self.tick.value += timeout
        self.waited += timeout
        return self.is_set()


def test_feed_sends_keyed_timestamped_records_in_accelerated_time():
    tick = FakeMonotonic()
    clock = AcceleratedClock(START, speed=60, monotonic=tick)
    producer, topics, counts = FakeProducer(), TopicNames.with_prefix("t"), []
    schedule = default_model().schedule(START)
    sent = feed(producer, topics, clock, schedule, stop=FakeStop(tick), max_events=30, on_sent=counts.append)
    assert sent == 30 and counts == list(range(1, 31)) and producer.flushes >= 1
    expected = default_model().events_between(START, START + timedelta(days=1))[:30]
    for (topic, value, key, timestamp_ms), item in zip(producer.sent, expected):
        assert topic == getattr(topics, item.topic) and key == item.event.lead_id.encode()
        assert value == encode(item.event)
        assert timestamp_ms == int(item.at.timestamp() * 1000)
    # Sent no earlier than due: at speed 60 the 30th record's time is reached in wall seconds.
    assert clock.now() >= expected[-1].at


def test_feed_stops_when_asked():
    tick = FakeMonotonic()
    clock = AcceleratedClock(START, speed=60, monotonic=tick)
    producer = FakeProducer()
    stop = FakeStop(tick, stop_after_s=10)  # ten wall seconds = ten simulated minutes
    sent = feed(producer, TopicNames.with_prefix("t"), clock, default_model().schedule(START), stop=stop)
    due = [i for i in default_model().events_between(START, START + timedelta(minutes=10))]
    assert sent == len(producer.sent) and 0 < sent <= len(due)


def test_connected_leads_may_close_deals_without_changing_the_rest_of_the_traffic():
    from streams.simulator.deals import closed_loop_history

    with_deals = TrafficModel(random.Random(DEFAULT_SEED), deals=True).events_between(START, START + timedelta(days=30))
    plain = default_model().events_between(START, START + timedelta(days=30))
    deals = [i for i in with_deals if isinstance(i, ScheduledEvent) and i.topic == "deals"]
    assert [i for i in with_deals if not (isinstance(i, ScheduledEvent) and i.topic == "deals")] == plain
    assert len(deals) >= 10 and {d.event.status for d in deals} == {"won", "lost"}
    connected = {i.event.lead_id: i.at for i in plain if isinstance(i, ScheduledEvent) and i.topic == "attempts"
                 and i.event.outcome == "connected"}
    assert all(d.event.lead_id in connected and d.at > connected[d.event.lead_id] for d in deals)
    history = closed_loop_history(START)
    assert all(i.at < START for i in history) and len({i.event.lead_id for i in history}) == 12 * 30
    assert any(i.topic == "deals" for i in history)
