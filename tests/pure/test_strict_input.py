"""Strict input: nothing coerced, ids that read as themselves, poison records become dead letters.

What an operator sees is the dead letter's code and reason, so each test asserts both.
"""

from __future__ import annotations

import json

import pytest

from alerts.content import lead_url
from models import events
from streams.kafka.codec import InvalidMessage, check_not_ahead, decode_event, decode_timeline
from tests.alerts.outcomes import breach
from tests.pure.events import example_with

ATTEMPT = {"schema_version": 1, "kind": "contact_attempt", "event_id": "a-77", "lead_id": "L-42",
           "occurred_at": "2026-03-02T15:21:00Z", "rep": "rep-ent-2", "channel": "call",
           "outcome": "no_answer", "automated": False}
CONVERSION = {"schema_version": 1, "kind": "lead_converted", "event_id": "c-981", "lead_id": "L-42",
              "occurred_at": "2026-03-02T14:55:00Z", "source": "marketing", "segment": "enterprise",
              "value": 52000}


def rejection(document: dict | bytes | str) -> tuple[str, str]:
    raw = json.dumps(document) if isinstance(document, dict) else document
    with pytest.raises(InvalidMessage) as caught:
        decode_event(raw)
    return caught.value.code, caught.value.reason


# --- no coercion ---------------------------------------------------------------------------------


def test_the_readme_examples_are_accepted_as_they_are():
    assert decode_event(json.dumps(ATTEMPT)).automated is False
    assert decode_event(json.dumps(CONVERSION)).value == 52000.0
    assert decode_event(json.dumps({**CONVERSION, "value": 52000.5})).value == 52000.5


@pytest.mark.parametrize("document, reason", [
    ({**ATTEMPT, "automated": "yes"}, 'automated: Input should be a valid boolean, not the string "yes"'),
    ({**ATTEMPT, "automated": 1}, "automated: Input should be a valid boolean, not the number 1"),
    ({**ATTEMPT, "automated": "true"}, 'automated: Input should be a valid boolean, not the string "true"'),
    ({**CONVERSION, "value": "52000"}, 'value: Input should be a valid number, not the string "52000"'),
    ({**CONVERSION, "value": True}, "value: Input should be a valid number, not true"),
    ({**ATTEMPT, "rep": 42}, "rep: Input should be a valid string, not the number 42"),
    ({**ATTEMPT, "rep": ["rep-1"]}, "rep: Input should be a valid string, not an array"),
], ids=["bool-word", "bool-one", "bool-text", "number-text", "number-bool", "id-number", "id-array"])
def test_a_value_of_the_wrong_json_type_is_rejected_naming_what_came(document, reason):
    assert rejection(document) == ("invalid_field", reason)


@pytest.mark.parametrize("stamp, reason", [
    (1772464860, 'occurred_at: a time must be ISO 8601 text with a zone, e.g. "2026-03-02T14:55:00Z", '
                 "not a number (1772464860)"),
    (1772464860123.5, 'occurred_at: a time must be ISO 8601 text with a zone, e.g. "2026-03-02T14:55:00Z", '
                      "not a number (1772464860123.5)"),
    ("1772464860", "occurred_at: '1772464860' is not an ISO 8601 time; write it with a zone, "
                   'e.g. "2026-03-02T14:55:00Z"'),
    (True, 'occurred_at: a time must be ISO 8601 text with a zone, e.g. "2026-03-02T14:55:00Z", '
           "not a boolean (True)"),
], ids=["seconds", "milliseconds", "number-in-quotes", "boolean"])
def test_a_bare_number_is_not_a_time(stamp, reason):
    assert rejection({**ATTEMPT, "occurred_at": stamp}) == ("invalid_field", reason)


def test_nan_and_infinity_are_not_json_numbers():
    text = json.dumps(CONVERSION).replace("52000", "NaN")
    assert rejection(text) == ("malformed_json", "NaN is not a JSON number")
    assert rejection(text.replace("NaN", "Infinity")) == ("malformed_json", "Infinity is not a JSON number")


def test_a_number_too_large_for_a_float_is_out_of_range_not_infinite():
    code, reason = rejection(json.dumps(CONVERSION).replace("52000", "1e400"))
    assert (code, reason) == ("invalid_field", "value: Input should be a finite number")


# --- ids and labels ------------------------------------------------------------------------------


@pytest.mark.parametrize("lead_id, reason", [
    ("L-4\u202e2", "character U+202E (RIGHT-TO-LEFT OVERRIDE, a formatting character) at position 4"),
    ("L-\u200b42", "character U+200B (ZERO WIDTH SPACE, a formatting character) at position 3"),
    ("L-\x0742", "character U+0007 (a control character) at position 3"),
    ("L-42\n", "character U+000A (a control character) at position 5"),
    ("L 42", "character U+0020 (SPACE) at position 2"),
    ("L\u00a042", "character U+00A0 (NO-BREAK SPACE) at position 2"),
], ids=["rtl-override", "zero-width", "bell", "newline", "space", "no-break-space"])
def test_an_id_that_would_not_read_as_itself_is_rejected_naming_the_character(lead_id, reason):
    assert rejection({**ATTEMPT, "lead_id": lead_id}) == (
        "invalid_field", f"lead_id: {reason} is not allowed: an id is printable text without spaces, "
                         "control or formatting characters")


def test_an_escaped_lone_surrogate_is_not_text():
    assert rejection({**ATTEMPT, "lead_id": "L-\udc80"}) == (
        "invalid_field", "lead_id: Input should be a valid string, unable to parse raw data as a unicode string")


def test_ids_are_bounded_and_may_be_any_printable_script():
    assert decode_event(json.dumps({**ATTEMPT, "lead_id": "Л-" + "9" * 126})).lead_id.startswith("Л-")
    assert decode_event(json.dumps({**ATTEMPT, "rep": "représentant/東京"})).rep == "représentant/東京"
    assert rejection({**ATTEMPT, "event_id": "e" * 129}) == (
        "invalid_field", "event_id: String should have at most 128 characters")


def test_labels_may_hold_spaces_but_not_control_or_formatting_characters():
    assert decode_event(json.dumps({**CONVERSION, "segment": "mid market"})).segment == "mid market"
    assert rejection({**CONVERSION, "segment": "mid\u202emarket"}) == (
        "invalid_field", "segment: character U+202E (RIGHT-TO-LEFT OVERRIDE, a formatting character) at "
                         "position 4 is not allowed: only printable characters and spaces")
    assert rejection({**CONVERSION, "persona": "v" * 65}) == (
        "invalid_field", "persona: String should have at most 64 characters")


def test_the_lead_link_in_an_alert_is_percent_encoded():
    policy = example_with("https://crm.example.com/leads/{lead_id}",
                          "https://crm.example.com/leads/{lead_id}?team={team}")
    tricky = breach().model_copy(update={"lead_id": "L/42?x=1#top&y", "team": "mid market"})
    assert lead_url(tricky, policy) == "https://crm.example.com/leads/L%2F42%3Fx%3D1%23top%26y?team=mid%20market"


# --- poison records ------------------------------------------------------------------------------


def test_a_json_integer_with_5000_digits_is_a_dead_letter_not_a_crash():
    code, reason = rejection(json.dumps(CONVERSION).replace("52000", "7" * 5000))
    assert code == "malformed_json"
    assert reason.startswith("a number is too long: Exceeds the limit (4300 digits)")


@pytest.mark.parametrize("raw, reason", [
    (b'{"lead_id": "L-\xff"}', "not valid UTF-8: byte 0xff at position 15"),
    (b"[" * 30_000, "nested too deeply to parse"),
], ids=["invalid-utf8", "deep-nesting"])
def test_undecodable_bytes_are_malformed_json_with_a_reason(raw, reason):
    assert rejection(raw) == ("malformed_json", reason)


def test_any_other_failure_while_decoding_is_an_undecodable_dead_letter(monkeypatch):
    class Exploding:
        @staticmethod
        def model_validate(document):
            raise TypeError("a validator nobody foresaw failed")

    monkeypatch.setitem(events.EVENT_TYPE_BY_KIND, "contact_attempt", Exploding)
    assert rejection(ATTEMPT) == ("undecodable", "TypeError: a validator nobody foresaw failed")


def test_the_timeline_decoder_turns_any_failure_into_a_rejection_too():
    with pytest.raises(InvalidMessage) as caught:
        decode_timeline(b'{"schema_version": 1, "kind": "tick", "at": "2026-03-02T15:00:00Z", "partition": ' +
                        b"9" * 5000 + b"}")
    assert caught.value.code == "malformed_json"
    with pytest.raises(InvalidMessage) as caught:
        decode_timeline(b'{"schema_version": 1, "kind": "tick", "at": 1772464860, "partition": 0}')
    assert caught.value.code == "invalid_field"


def test_a_record_timestamp_beyond_year_9999_is_not_a_crash():
    event = decode_event(json.dumps(ATTEMPT))
    assert check_not_ahead(event, 2**62) is None  # a Kafka CreateTime is any int64 the producer chose
