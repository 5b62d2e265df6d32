"""Broker trouble in the log at a readable rate.

While the broker is away, aiokafka logs each failed connect, fetch, metadata refresh and
heartbeat, thousands of lines a minute, which bury the one line that says what is
wrong. ``RepeatLimit`` lets the first warning or error of each kind through (same logger,
same message template), then at most one every ``every_s``, saying how many were held
back. Records below WARNING pass untouched.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

NOISY_LOGGERS = ("aiokafka", "faust.topics", "faust.transport")
EVERY_S = 10.0


class RepeatLimit(logging.Filter):
    def __init__(self, every_s: float = EVERY_S, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.every_s = every_s
        self.clock = clock
        self._last: dict[tuple[str, str], float] = {}
        self._held: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, str(record.msg)[:80])  # the template: formatted args vary
        now, last = self.clock(), self._last.get(key)
        if last is not None and now - last < self.every_s:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        if held := self._held.pop(key, 0):
            record.msg = f"{record.msg} ({held} like it in the last {now - last:.0f} s not shown)"
        return True


def limit_broker_noise(limit: RepeatLimit | None = None) -> RepeatLimit:
    """Installs one limit on every logger of aiokafka and Faust's transport (a filter on a
    logger applies only to its own records, so each is given it)."""
    limit = limit or RepeatLimit()
    names = [name for name in logging.Logger.manager.loggerDict if name.startswith(NOISY_LOGGERS)]
    for name in [*NOISY_LOGGERS, *names]:
        logging.getLogger(name).addFilter(limit)
    return limit
