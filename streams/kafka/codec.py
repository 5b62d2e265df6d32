"""Bytes <-> messages at the topic boundary, with specific reasons for rejection.

A rejection is an ``InvalidMessage`` carrying a bounded ``code`` (a metric label)
and a human ``reason`` (for the dead-letter record and the operator). Whatever a
record holds, decoding it either returns a message or raises ``InvalidMessage``:
a record that makes the parser or a validator fail in a way nobody foresaw
(``undecodable``) must still become a dead letter, never crash the agent that
reads the topic or the audit that replays it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ValidationError

from models.events import (
    EVENT_TYPE_BY_KIND,
    MAX_MESSAGE_BYTES,
    SCHEMA_VERSION,
    TIMELINE_ENTRY,
    LeadEventBase,
)

REJECTION_CODES = (
    "oversize",
    "malformed_json",
    "not_an_object",
    "unknown_schema_version",
    "wrong_kind",
    "invalid_field",
    "from_the_future",
    "lead_retired",
    "misrouted",
    "undecodable",
)
# An event stamped further ahead of its Kafka record than this is a producer clock
# bug; believing it would drag the watermark forward and breach every lead at once.
MAX_FUTURE_SKEW = timedelta(hours=1)


class InvalidMessage(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        assert code in REJECTION_CODES, code
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def encode(message: BaseModel) -> bytes:
    return message.model_dump_json(exclude_none=True).encode()


def decode_event(raw: bytes | str, expected_kind: str | None = None) -> LeadEventBase:
    """Validate one input record. ``expected_kind`` is the topic's kind; a record
    without ``kind`` takes it, a record with another kind is rejected."""
    return _never_raising_other_than_invalid(lambda: _decode_event(raw, expected_kind))


def decode_timeline(raw: bytes) -> Any:
    """Timeline records are written by us; still validated, since topics outlive code."""
    return _never_raising_other_than_invalid(lambda: _decode_timeline(raw))


def _never_raising_other_than_invalid(decode):
    try:
        return decode()
    except InvalidMessage:
        raise
    except Exception as error:  # noqa: BLE001 - one poison record must not stop a topic
        raise InvalidMessage("undecodable", f"{type(error).__name__}: {str(error)[:300]}") from None


def _decode_event(raw: bytes | str, expected_kind: str | None) -> LeadEventBase:
    document = _json_object(raw)
    _check_schema_version(document)
    kind = document.setdefault("kind", expected_kind) if expected_kind else document.get("kind")
    if expected_kind and kind != expected_kind:
        raise InvalidMessage("wrong_kind", f"kind {kind!r} does not belong on the {expected_kind} topic")
    model = EVENT_TYPE_BY_KIND.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise InvalidMessage("wrong_kind", f"unknown kind {kind!r}; expected one of {sorted(EVENT_TYPE_BY_KIND)}")
    return _validate(lambda: model.model_validate(document))


def _decode_timeline(raw: bytes) -> Any:
    document = _json_object(raw)
    _check_schema_version(document)
    return _validate(lambda: TIMELINE_ENTRY.validate_python(document))


def _json_object(raw: bytes | str) -> dict:
    size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)  # bytes, not chars
    if size > MAX_MESSAGE_BYTES:
        raise InvalidMessage("oversize", f"{size} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")
    try:
        text = raw.decode(json.detect_encoding(raw), "surrogatepass") if isinstance(raw, bytes) else raw
        document = _JSON.decode(text)  # as json.loads(raw, parse_constant=...), without a decoder per call
    except (ValueError, RecursionError) as error:
        raise InvalidMessage("malformed_json", _parse_failure(error)) from None
    if not isinstance(document, dict):
        raise InvalidMessage("not_an_object", f"expected a JSON object, got {type(document).__name__}")
    return document


def _refuse_constant(name: str) -> float:
    # Python's json reads NaN and Infinity, which are not JSON; no producer means them.
    raise ValueError(f"{name} is not a JSON number")


_JSON = json.JSONDecoder(parse_constant=_refuse_constant)


def _parse_failure(error: ValueError | RecursionError) -> str:
    if isinstance(error, UnicodeDecodeError):
        return f"not valid UTF-8: byte 0x{error.object[error.start]:02x} at position {error.start}"
    if isinstance(error, RecursionError):  # deep nesting fits in 64 KiB
        return "nested too deeply to parse"
    if "integer string conversion" in str(error):  # Python's guard against quadratic int parsing
        return f"a number is too long: {str(error).split(';')[0]}"
    return str(error)


def _check_schema_version(document: dict) -> None:
    version = document.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:  # JSON true == 1 in Python
        shown = "missing" if version is None else repr(version)
        raise InvalidMessage(
            "unknown_schema_version", f"schema_version {shown}: this leadsla reads version {SCHEMA_VERSION}"
        )


def _validate(build):
    try:
        return build()
    except ValidationError as error:
        raise InvalidMessage("invalid_field", describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"] if not isinstance(p, str) or p not in EVENT_TYPE_BY_KIND)
        message = item["msg"].removeprefix("Value error, ")
        if item["type"].endswith("_type"):  # a wrong JSON type: show what came, since nothing is converted
            message += f", not {_shown(item['input'])}"
        parts.append(f"{where or 'record'}: {message}")
    return "; ".join(parts)


def _shown(value: Any) -> str:
    """A JSON value as the producer wrote it, named by its JSON type."""
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "an array"
    kind = {str: "the string ", bool: "", int: "the number ", float: "the number "}.get(type(value), "")
    return f"{kind}{json.dumps(value)[:60]}"


def check_not_ahead(event: LeadEventBase, record_timestamp_ms: int | None) -> None:
    if not record_timestamp_ms or record_timestamp_ms <= 0:
        return
    try:
        written = datetime.fromtimestamp(record_timestamp_ms / 1000, timezone.utc)
    except (OverflowError, ValueError, OSError):  # a producer's clock set past year 9999: nothing to compare
        return
    if event.occurred_at - written > MAX_FUTURE_SKEW:
        ahead = event.occurred_at - written
        raise InvalidMessage(
            "from_the_future",
            f"occurred_at {event.occurred_at.isoformat()} is {ahead} ahead of the record's timestamp "
            f"{written.isoformat()} (more than {MAX_FUTURE_SKEW} is refused)",
        )
