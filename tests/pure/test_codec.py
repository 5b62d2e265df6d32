"""The topic boundary: every rejection code with the reason an operator reads in the dead letter."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from models.events import MAX_MESSAGE_BYTES, ContactAttempt, LeadConverted, LeadHandoff
from streams.kafka.codec import (
    REJECTION_CODES,
    InvalidMessage,
    check_not_ahead,
    decode_event,
    decode_timeline,
    encode,
)
from tests.pure.events import attempt, converted, et, handoff, tick

HANDOFF_RECORD = {
    "schema_version": 1,
    "kind": "handoff",
    "event_id": "evt-1",
    "lead_id": "lead-1",
    "occurred_at": "2026-06-01T10:00:00-04:00",
    "owner_rep": "rep-a",
    "team": "enterprise",
}


def record(**changes) -> bytes:
    document = {**HANDOFF_RECORD, **changes}
    return json.dumps({k: v for k, v in document.items() if v is not ...}).encode()


def rejection(raw: bytes | str, expected_kind: str | None = None) -> tuple[str, str]:
    with pytest.raises(InvalidMessage) as caught:
        decode_event(raw, expected_kind)
    assert str(caught.value) == f"{caught.value.code}: {caught.value.reason}"
    return caught.value.code, caught.value.reason


# --- accepted records ----------------------------------------------------------------------------


def test_valid_handoff_decodes_with_its_time_in_utc():
    event = decode_event(record(), "handoff")
    assert isinstance(event, LeadHandoff)
    assert (event.event_id, event.lead_id, event.action, event.owner_rep, event.team) == (
        "evt-1", "lead-1", "assign", "rep-a", "enterprise",
    )
    assert event.occurred_at == datetime(2026, 6, 1, 14, tzinfo=UTC)
    assert event.occurred_at.utcoffset() == timedelta(0)


def test_record_without_kind_takes_the_topics_kind():
    event = decode_event(record(kind=...), "handoff")
    assert event.kind == "handoff"


@pytest.mark.parametrize("event", [converted(et(1, 9)), handoff(et(1, 10)), attempt(et(1, 10, 5), automated=True)])
def test_encode_then_decode_gives_the_same_event(event):
    assert decode_event(encode(event), event.kind) == event
    assert decode_event(encode(event).decode()) == event


def test_timeline_carries_events_and_ticks():
    assert decode_timeline(encode(tick(et(1, 10), 3))) == tick(et(1, 10), 3)
    assert isinstance(decode_timeline(encode(attempt(et(1, 10)))), ContactAttempt)
    assert isinstance(decode_timeline(encode(converted(et(1, 10)))), LeadConverted)


# --- one test per rejection code -------------------------------------------------------------------


def test_oversize_record_is_rejected_before_parsing():
    raw = b'{"pad": "' + b"x" * MAX_MESSAGE_BYTES + b'"}'
    assert rejection(raw) == ("oversize", f"{len(raw)} bytes exceeds the 65536-byte limit")


def test_record_of_exactly_64_kib_is_not_oversize():
    raw = b" " * (MAX_MESSAGE_BYTES - 2) + b"[]"
    assert rejection(raw)[0] == "not_an_object"


def test_oversize_text_is_measured_in_bytes_not_characters():
    text = '{"pad": "' + "é" * 40_000 + '"}'  # 40 011 characters, 80 011 bytes
    assert rejection(text) == ("oversize", "80011 bytes exceeds the 65536-byte limit")


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"{not json", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (b"", "Expecting value: line 1 column 1 (char 0)"),
        (b'{"schema_version": 1,', "Expecting property name enclosed in double quotes: line 1 column 22 (char 21)"),
    ],
    ids=["garbage", "empty", "truncated"],
)
def test_malformed_json(raw, reason):
    assert rejection(raw) == ("malformed_json", reason)


@pytest.mark.parametrize("raw", [b"[" * 60_000, b'{"a":' * 12_000], ids=["arrays", "objects"])
def test_deeply_nested_json_within_the_size_limit_is_malformed_not_a_crash(raw):
    code, reason = rejection(raw)
    assert code == "malformed_json"
    assert reason == "nested too deeply to parse"


def test_invalid_utf8_is_malformed_json():
    code, _ = rejection(b'{"lead_id": "\xff"}')
    assert code == "malformed_json"


@pytest.mark.parametrize(
    "raw, shown",
    [(b"[1, 2]", "list"), (b'"handoff"', "str"), (b"null", "NoneType"), (b"42", "int")],
)
def test_not_an_object(raw, shown):
    assert rejection(raw) == ("not_an_object", f"expected a JSON object, got {shown}")


@pytest.mark.parametrize(
    "version, shown",
    [(..., "missing"), (None, "missing"), (2, "2"), ("1", "'1'"), (True, "True"), (1.0, "1.0")],
    ids=["absent", "null", "two", "text", "true", "float"],
)
def test_missing_or_unknown_schema_version(version, shown):
    assert rejection(record(schema_version=version), "handoff") == (
        "unknown_schema_version",
        f"schema_version {shown}: this leadsla reads version 1",
    )


def test_wrong_kind_for_the_topic():
    assert rejection(record(kind="contact_attempt"), "handoff") == (
        "wrong_kind",
        "kind 'contact_attempt' does not belong on the handoff topic",
    )


@pytest.mark.parametrize("kind, shown", [("bogus", "'bogus'"), (..., "None")])
def test_unknown_kind_without_a_topic(kind, shown):
    assert rejection(record(kind=kind)) == (
        "wrong_kind",
        f"unknown kind {shown}; expected one of ['contact_attempt', 'deal_closed', 'handoff', 'lead_converted']",
    )


@pytest.mark.parametrize(
    "changes, reason",
    [
        ({"occurred_at": "2026-06-01T10:00:00"}, "occurred_at: Input should have timezone info"),
        (
            {"occurred_at": "1970-01-01T00:00:00Z"},
            "occurred_at: timestamp 1970-01-01T00:00:00+00:00 is outside the plausible range 2000..2099",
        ),
        (
            {"occurred_at": "2200-01-01T00:00:00+00:00"},
            "occurred_at: timestamp 2200-01-01T00:00:00+00:00 is outside the plausible range 2000..2099",
        ),
        ({"owner_rep": ...}, "record: a handoff with action 'assign' needs owner_rep and team"),
        ({"action": "reassign", "team": ...}, "record: a handoff with action 'reassign' needs owner_rep and team"),
        ({"action": "transfer"}, "action: Input should be 'assign', 'reassign' or 'return'"),
        ({"lead_id": ""}, "lead_id: String should have at least 1 character"),
        ({"lead_id": "lead 1"}, "lead_id: character U+0020 (SPACE) at position 5 is not allowed: an id is "
                                "printable text without spaces, control or formatting characters"),
        ({"priority": "high"}, "priority: Extra inputs are not permitted"),
        ({"event_id": ...}, "event_id: Field required"),
    ],
    ids=["naive", "1970", "2200", "assign-no-owner", "reassign-no-team", "action", "empty-id", "space-in-id",
         "extra", "no-event-id"],
)
def test_invalid_fields(changes, reason):
    assert rejection(record(**changes), "handoff") == ("invalid_field", reason)


def test_return_needs_no_owner():
    event = decode_event(record(action="return", owner_rep=..., team=..., reason="disqualified"), "handoff")
    assert (event.action, event.owner_rep, event.reason) == ("return", None, "disqualified")


def test_every_invalid_field_is_named_at_once():
    raw = json.dumps({
        "schema_version": 1, "kind": "contact_attempt", "event_id": "e", "lead_id": "l",
        "occurred_at": "2026-06-01T10:00:00Z", "rep": "r", "channel": "fax", "outcome": "maybe",
    }).encode()
    code, reason = rejection(raw, "contact_attempt")
    assert code == "invalid_field"
    assert reason.split("; ") == [
        "channel: Input should be 'call', 'email', 'sms', 'social', 'meeting', 'chat' or 'other'",
        "outcome: Input should be 'connected', 'no_answer', 'voicemail', 'bounced', 'replied' or 'other'",
    ]


# --- from_the_future -------------------------------------------------------------------------------


def ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def test_event_more_than_an_hour_ahead_of_its_record_is_from_the_future():
    event = decode_event(record(), "handoff")  # 14:00 UTC
    with pytest.raises(InvalidMessage) as caught:
        check_not_ahead(event, ms(datetime(2026, 6, 1, 12, 59, 59, tzinfo=UTC)))
    assert caught.value.code == "from_the_future"
    assert caught.value.reason == (
        "occurred_at 2026-06-01T14:00:00+00:00 is 1:00:01 ahead of the record's timestamp "
        "2026-06-01T12:59:59+00:00 (more than 1:00:00 is refused)"
    )


@pytest.mark.parametrize(
    "timestamp_ms",
    [ms(datetime(2026, 6, 1, 13, tzinfo=UTC)), ms(datetime(2026, 6, 2, tzinfo=UTC)), None, 0, -5],
    ids=["exactly-an-hour", "record-later", "none", "zero", "negative"],
)
def test_event_within_an_hour_or_without_a_record_time_is_accepted(timestamp_ms):
    assert check_not_ahead(decode_event(record(), "handoff"), timestamp_ms) is None


def test_every_code_is_tested_here():
    exercised = {"oversize", "malformed_json", "not_an_object", "unknown_schema_version", "wrong_kind",
                 "invalid_field", "from_the_future"}
    # lead_retired: the tracker's refusal (test_retirement); misrouted: tests/stream/kafka/test_partitioning;
    # undecodable, any other failure of a decoder: test_strict_input.
    assert set(REJECTION_CODES) == exercised | {"lead_retired", "misrouted", "undecodable"}
