"""Bytes <-> messages at the topic boundary, with specific reasons for rejection.

A rejection is an ``InvalidMessage`` carrying a bounded ``code`` (a metric label)
and a human ``reason`` (for the dead-letter record and the operator).
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
    document = _json_object(raw)
    _check_schema_version(document)
    kind = document.setdefault("kind", expected_kind) if expected_kind else document.get("kind")
    if expected_kind and kind != expected_kind:
        raise InvalidMessage("wrong_kind", f"kind {kind!r} does not belong on the {expected_kind} topic")
    model = EVENT_TYPE_BY_KIND.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise InvalidMessage("wrong_kind", f"unknown kind {kind!r}; expected one of {sorted(EVENT_TYPE_BY_KIND)}")
    return _validate(lambda: model.model_validate(document))


def decode_timeline(raw: bytes) -> Any:
    """Timeline records are written by us; still validated, since topics outlive code."""
    document = _json_object(raw)
    _check_schema_version(document)
    return _validate(lambda: TIMELINE_ENTRY.validate_python(document))


def _json_object(raw: bytes | str) -> dict:
    size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)  # bytes, not chars
    if size > MAX_MESSAGE_BYTES:
        raise InvalidMessage("oversize", f"{size} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit")
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:  # deep nesting fits in 64 KiB
        raise InvalidMessage("malformed_json", str(error)) from None
    if not isinstance(document, dict):
        raise InvalidMessage("not_an_object", f"expected a JSON object, got {type(document).__name__}")
    return document


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
        parts.append(f"{where or 'record'}: {message}")
    return "; ".join(parts)


def check_not_ahead(event: LeadEventBase, record_timestamp_ms: int | None) -> None:
    if not record_timestamp_ms or record_timestamp_ms <= 0:
        return
    written = datetime.fromtimestamp(record_timestamp_ms / 1000, timezone.utc)
    if event.occurred_at - written > MAX_FUTURE_SKEW:
        ahead = event.occurred_at - written
        raise InvalidMessage(
            "from_the_future",
            f"occurred_at {event.occurred_at.isoformat()} is {ahead} ahead of the record's timestamp "
            f"{written.isoformat()} (more than {MAX_FUTURE_SKEW} is refused)",
        )
