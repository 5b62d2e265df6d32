"""Every message the worker sends is delivered before the offsets behind it are committed,
or the worker stops, committing nothing more.

Faust commits offsets right after awaiting ``producer.flush()``. That flush is not a
guarantee: its buffer stage returns as soon as 0.1 s pass without a send
(``ProducerBuffer.flush_atmost``), and a send that fails is only logged
(``Topic._on_published``). Offsets could then be committed past outcomes and changelog
records that never reached the broker: lost for good once the worker restarts.

``DeliveryGuard`` wraps that flush. It keeps the future of every message handed to
the producer (``send_soon``: outcomes, dead letters, changelogs) and, before a commit:

1. waits for every one sent so far to be acknowledged, up to ``timeout_s``;
2. sends a failed or unacknowledged one again (``RETRIES`` times, a pause between);
3. if that fails too, logs why, raises (so this commit and every later one, shutdown's
   included, is refused: the records are read again by the next worker) and asks the
   worker to stop (``stop``); ``failure`` then says why, for the exit status.

While the worker is stopping (SIGTERM) it waits at most ``STOP_GRACE_S`` for a broker
that is away: then undelivered messages refuse the commit, and the stop goes on.

``refuse(reason)`` refuses every later commit outright: the broker watch calls it when the
broker lost the worker's topics (streams.runtime.broker_watch), so no offset is committed onto
a broker that no longer holds the records behind it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Callable

import faust

RETRIES = 3
RETRY_PAUSE_S = 1.0
POLL_S = 0.25  # how often a wait looks whether the worker is stopping
STOP_GRACE_S = 5.0  # how long a stopping worker still waits for the broker
log = logging.getLogger("leadsla.delivery")


class UndeliveredMessages(RuntimeError):
    """Messages could not be delivered: offsets after them must not be committed."""


class DeliveryGuard:
    def __init__(self, app: faust.App, *, timeout_s: float, stop: Callable[[], None]) -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.stop = stop
        self.failure: str | None = None
        self.refusal: str | None = None  # why no commit may happen any more (``refuse``)
        self._stop_deadline: float | None = None  # set once the worker begins to stop
        self._pending: set[asyncio.Future] = set()
        producer = app.producer
        self._send_soon, self._flush = producer.send_soon, producer.flush
        producer.send_soon, producer.flush = self._track, self.flush

    def refuse(self, reason: str) -> None:
        """No commit from now on: every later flush, shutdown's included, raises ``reason``."""
        self.refusal = reason

    def _track(self, fut) -> None:
        self._pending.add(fut)
        fut.add_done_callback(self._settled)
        self._send_soon(fut)

    def _settled(self, fut) -> None:
        if fut.cancelled() or fut.exception() is None:
            self._pending.discard(fut)  # a failed one stays, to be sent again

    async def flush(self) -> None:
        """Faust's flush, then every message sent so far delivered; raises if one cannot be."""
        if self.failure is not None or self.refusal is not None:
            raise UndeliveredMessages(self.failure or self.refusal)
        waiting = list(self._pending)
        deadline = time.monotonic() + self.timeout_s
        faust_flush = asyncio.ensure_future(self._flush())
        await self._within([faust_flush], deadline)
        if not faust_flush.done():
            faust_flush.cancel()
        elif not faust_flush.cancelled():
            faust_flush.exception()  # retrieved: what failed is judged per message, below
        await self._within(waiting, deadline)
        failed = [fut for fut in waiting if not fut.done() or fut.cancelled() or fut.exception() is not None]
        if failed:
            await self._send_again(failed)

    async def _within(self, futures: list, deadline: float) -> None:
        """Wait for ``futures`` until the deadline (a short one once the worker is stopping);
        never cancels them: they are Faust's."""
        pending = set(futures)
        while pending and time.monotonic() < min(deadline, self._stopping_by()):
            _, pending = await asyncio.wait(pending, timeout=POLL_S)

    def _stopping_by(self) -> float:
        """The moment a stopping worker stops waiting for the broker (one grace for the stop)."""
        if not self.app.should_stop:
            return float("inf")
        if self._stop_deadline is None:
            self._stop_deadline = time.monotonic() + STOP_GRACE_S
        return self._stop_deadline

    async def _send_again(self, failed: list) -> None:
        reason = _reason(failed[0])
        log.warning("%d message(s) not delivered (%s): sending them again", len(failed), reason)
        for fut in failed:
            error = await self._resend(fut)
            if error is not None:
                self._give_up(len(failed), error)
            self._pending.discard(fut)

    async def _resend(self, fut) -> str | None:
        message = fut.message
        error = _reason(fut)
        for _ in range(0 if self.app.should_stop else RETRIES):  # a stopping worker has had its grace
            try:
                await asyncio.wait_for(self.app.producer.send_and_wait(
                    message.channel.get_topic_name(), message.key, message.value, partition=message.partition,
                    timestamp=message.timestamp, headers=message.headers), self.timeout_s)
                return None
            except Exception as exc:  # noqa: BLE001 - any failure is retried, then reported
                error = repr(exc)
                await asyncio.sleep(RETRY_PAUSE_S)
        return error

    def _give_up(self, count: int, error: str) -> None:
        self.failure = (f"{count} message(s) could not be delivered to the broker ({error}); "
                        "no offset after them was committed, so their input records will be read again")
        log.error("stopping: %s", self.failure)
        if not self.app.should_stop:
            self.stop()
        raise UndeliveredMessages(self.failure)


def _reason(fut) -> str:
    if not fut.done():
        return "no acknowledgement in time"
    return "cancelled" if fut.cancelled() else repr(fut.exception())
