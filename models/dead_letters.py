"""A rejected input record, kept with the reason so nothing is lost silently."""

from __future__ import annotations

from pydantic import Field

from models.events import Message

MAX_PAYLOAD_CHARS = 4096


class DeadLetter(Message):
    source_topic: str
    partition: int
    offset: int
    code: str = Field(description="Bounded reason code, also a metric label.")
    reason: str = Field(description="What exactly was wrong, for a person.")
    payload: str = Field(description="The record as text, cut to a few KiB.")
    payload_bytes: int
    record_timestamp_ms: int | None = None

    @classmethod
    def of(cls, *, topic: str, partition: int, offset: int, code: str, reason: str,
           raw: bytes, timestamp_ms: int | None) -> "DeadLetter":
        text = raw.decode("utf-8", errors="replace")[:MAX_PAYLOAD_CHARS]
        return cls(schema_version=1, source_topic=topic, partition=partition, offset=offset, code=code,
                   reason=reason[:2000], payload=text, payload_bytes=len(raw), record_timestamp_ms=timestamp_ms)
