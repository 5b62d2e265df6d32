"""Where the offline commands (``evaluate``, ``goals``, ``report``, ``digest``) read events: a JSONL file or input topics.

Both report a file or topic that cannot be read as a user error, and every rejected
record the same way on stderr: ``FILE:LINE: rejected: code: reason``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from streams.commands.evaluation import Record, file_records, topic_records
from streams.commands.failures import UserError
from streams.runtime.settings import Settings


def event_file_records(path: Path) -> Iterator[Record]:
    """The records of a JSONL file (``-``: standard input)."""
    if str(path) == "-":
        return file_records(sys.stdin.buffer)
    try:
        return file_records(path.open("rb"))
    except OSError as error:
        raise UserError(f"cannot read the events file {path}: {error.strerror or error}") from None


def input_topic_records(settings: Settings, kinds: dict[str, str],
                        missing: str = "nothing to evaluate there") -> Iterator[Record]:
    """Every record of the topics ``kinds`` names (topic -> the kind it implies), from the beginning.
    ``missing``: what a topic that is not there means to the command."""
    try:
        yield from topic_records(settings.kafka, kinds)
    except LookupError as error:  # a topic that is not there: wrong broker or prefix
        raise UserError(f"{error}: {missing} (topic names come from LEADSLA_TOPIC_PREFIX)") from None


def lead_topic_records(settings: Settings) -> Iterator[Record]:
    """Every record of the three lead input topics, each with the kind its topic carries."""
    from streams.runtime.app import KIND_BY_TOPIC_FIELD  # imports Faust: only when topics are read

    topics = settings.topics
    return input_topic_records(settings, {getattr(topics, field): kind for field, kind in KIND_BY_TOPIC_FIELD.items()})


def print_rejected(rejected: list[tuple[int | str, str]], events: Path | None) -> None:
    for where, reason in rejected:
        print(f"{events}:{where}: rejected: {reason}" if events else f"{where}: rejected: {reason}",
              file=sys.stderr)
