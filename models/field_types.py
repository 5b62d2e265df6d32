"""The field types of input events: ids, labels, free text and timestamps, checked strictly.

Input comes from systems we do not control, and what they send ends up in alert text
that a person reads and in links a person clicks. So an id is printable text without
spaces, control or formatting characters (a U+202E right-to-left override would make
``L-42`` read as something else in an alert), and every text is bounded. A timestamp is
ISO 8601 text (or a ``datetime`` built in code): a bare number could be seconds or
milliseconds since any epoch, and guessing is how a lead gets the wrong deadline.
Pure: standard library and pydantic only.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field

MAX_ID_CHARS = 128
MAX_LABEL_CHARS = 64
MAX_TEXT_CHARS = 256
_KINDS = {"Cc": "a control character", "Cf": "a formatting character", "Zl": "a line separator",
          "Zp": "a paragraph separator", "Cs": "a lone surrogate", "Co": "a private-use character",
          "Cn": "an unassigned code point"}
# The start of an ISO 8601 date: what separates a time written as text from a number in quotes.
_ISO_DATE_START = re.compile(r"\d{4}-\d{2}-\d{2}")


def _first_unreadable(text: str, allow_space: bool) -> str | None:
    """Describe the first character that would not show as itself in an alert, if any."""
    # Every separator but the ASCII space is unprintable to str.isprintable (a C loop): the
    # character-by-character search below runs only for text that fails.
    if text.isprintable() and (allow_space or " " not in text):
        return None
    for position, char in enumerate(text):
        if char == " " and allow_space:
            continue
        if char.isspace() or not char.isprintable():
            return f"character U+{ord(char):04X} ({_describe(char)}) at position {position + 1}"
    return None


def _describe(char: str) -> str:
    category = unicodedata.category(char)
    kind = _KINDS.get(category, "an invisible character")
    name = unicodedata.name(char, "")  # control characters have no name
    if category == "Zs":
        return name  # "SPACE", "NO-BREAK SPACE": the name says it
    return f"{name}, {kind}" if name else kind


def _printable_id(text: str) -> str:
    found = _first_unreadable(text, allow_space=False)
    if found:
        raise ValueError(f"{found} is not allowed: an id is printable text without spaces, "
                         "control or formatting characters")
    return text


def _printable_text(text: str) -> str:
    found = _first_unreadable(text, allow_space=True)
    if found:
        raise ValueError(f"{found} is not allowed: only printable characters and spaces")
    return text


def _time_as_text(value: Any) -> Any:
    """Let only ISO 8601 text (or a datetime) through to pydantic's datetime parsing."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"a time must be ISO 8601 text with a zone, e.g. \"2026-03-02T14:55:00Z\", "
                         f"not {_json_kind(value)} ({str(value)[:40]})")
    if not _ISO_DATE_START.match(value):
        raise ValueError(f"{value[:40]!r} is not an ISO 8601 time; write it with a zone, "
                         "e.g. \"2026-03-02T14:55:00Z\"")
    return value


def _json_kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "a boolean" if value is not None else "null"
    return "a number" if isinstance(value, (int, float)) else f"a JSON {type(value).__name__}"


Identifier = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS), AfterValidator(_printable_id)]
Label = Annotated[str, Field(min_length=1, max_length=MAX_LABEL_CHARS), AfterValidator(_printable_text)]
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS), AfterValidator(_printable_text)]
# A sum of money or a count of anything, as a JSON number: never negative, never NaN or infinite,
# and bounded so a stray exponent cannot swamp a month's total.
Amount = Annotated[float, Field(ge=0, le=1e12, allow_inf_nan=False)]
# strict=False only here: the message is strict, but a time arrives as text that must be parsed.
Timestamp = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_time_as_text)]
