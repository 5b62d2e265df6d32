"""A tick takes effect only once this worker has read the input records it vouches for.

A tick says "every input record of partition p up to here has been read", and its
sender knew what "here" was: its read position on each input topic's partition p. The
tracker that receives it may be another process, one that resumed from the committed
offsets after a crash or took p over in a rebalance: it reads the ticks topic and the
inputs again from those offsets, merged in any order (Faust round-robins topics). A tick
applied before the records it vouches for would move time past calls not yet re-read:
breaches that evaluate never makes, then corrections. So each tick carries its sender's
positions in a record header, and the gate holds it until this worker's own positions
have reached them. Only the latest held tick per partition is kept: it claims at least
as much as any before it.

Imports: the standard library and models only (no Faust): positions come from a callable.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Iterable, Mapping, Sequence

from models.events import Tick
from streams.runtime.input_progress import TopicPartition

POSITIONS_HEADER = "leadsla-read"  # the sender's next offsets on the input topics, comma-separated
HELD_TOO_LONG_S = 30.0  # a partition whose ticks wait this long says so in the log (its time stands still)
log = logging.getLogger("leadsla.ticks")


def positions_header(inputs: Sequence[str], partition: int, position: Callable[[TopicPartition], int]) -> bytes:
    """The header value a tick sender writes: its position on each input topic's partition."""
    return ",".join(str(position(TopicPartition(topic, partition))) for topic in inputs).encode()


def vouched_positions(headers, inputs: Sequence[str]) -> dict[str, int]:
    """The positions a received tick vouches for; none (an older sender) vouches for nothing."""
    raw = _header(headers, POSITIONS_HEADER)
    if raw is None:
        return {}
    values = raw.decode().split(",")
    return {topic: int(value) for topic, value in zip(inputs, values, strict=True)}


class TickGate:
    def __init__(self, inputs: Sequence[str], position: Callable[[TopicPartition], int]) -> None:
        """``position(tp)``: the next input offset this worker will read on ``tp``."""
        self.inputs = tuple(inputs)
        self.position = position
        self._held: dict[int, tuple[Tick, dict[str, int]]] = {}
        self._held_since: dict[int, float] = {}  # monotonic time a partition's ticks began to wait
        self._warned: dict[int, float] = {}

    def admit(self, tick: Tick, vouched: Mapping[str, int]) -> Tick | None:
        """The tick if it may take effect now; otherwise it is held (replacing an older one)."""
        if self._read_up_to(tick.partition, vouched):
            self._drop(tick.partition)
            return tick
        self._held[tick.partition] = (tick, dict(vouched))
        self._say_if_stuck(tick.partition, vouched)
        return None

    def release(self, partition: int) -> Tick | None:
        """A held tick of ``partition`` whose records have now been read, once."""
        held = self._held.get(partition)
        if held is None or not self._read_up_to(partition, held[1]):
            return None
        self._drop(partition)
        return held[0]

    def forget(self, partitions: Iterable[int]) -> None:
        for partition in partitions:
            self._drop(partition)

    def _drop(self, partition: int) -> None:
        self._held.pop(partition, None)
        self._held_since.pop(partition, None)

    def _say_if_stuck(self, partition: int, vouched: Mapping[str, int]) -> None:
        """Once a minute at most, while a partition's ticks have waited too long."""
        now = time.monotonic()
        since = self._held_since.setdefault(partition, now)
        if now - since >= HELD_TOO_LONG_S and now - self._warned.get(partition, 0.0) >= 60:
            self._warned[partition] = now
            read = {topic: self.position(TopicPartition(topic, partition)) for topic in vouched}
            log.warning("partition %d: ticks held for %.0f s, waiting to read %s (read so far: %s)",
                        partition, now - since, dict(vouched), read)

    def _read_up_to(self, partition: int, vouched: Mapping[str, int]) -> bool:
        return all(self.position(TopicPartition(topic, partition)) >= offset for topic, offset in vouched.items())


def _header(headers, name: str) -> bytes | None:
    if not headers:
        return None
    items = headers.items() if isinstance(headers, Mapping) else headers
    for key, value in items:
        if key == name:
            return value
    return None
