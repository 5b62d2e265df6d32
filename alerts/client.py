"""Delivering alerts to Alertmanagers the way Prometheus does, without blocking anyone.

``submit`` only records the latest version of each alert (keyed by its label
set) and wakes a delivery task; the task posts batches to one Alertmanager and,
when it is down or answers 5xx, puts the batch back and waits with exponential
backoff. A newer version submitted meanwhile wins over the one being retried, so
the queue is bounded by the number of distinct alerts, however long the outage.

The HTTP call is an injected ``Transport`` (url, body) -> status, so the layer
above it is testable without a network; ``AiohttpTransport`` is the real one.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Awaitable, Callable, Iterable, Literal

from alerts.api import endpoint, identity, wire_alert, wire_batch
from alerts.lifecycle import Alert

Transport = Callable[[str, bytes], Awaitable[int]]
ResultHook = Callable[[str, bool], None]  # (alertmanager base url, delivered?)
Result = Literal["ok", "retry", "dropped"]
BATCH_SIZE = 500
log = logging.getLogger("leadsla.alerts")


@dataclass(frozen=True)
class Backoff:
    first_s: float = 0.5
    factor: float = 2.0
    limit_s: float = 10.0  # an Alertmanager back from a restart hears from us within this

    def delay(self, failures: int) -> float:
        return min(self.limit_s, self.first_s * self.factor ** max(0, failures - 1))


class AlertmanagerClient:
    """One Alertmanager: a coalescing queue and the task that drains it."""

    def __init__(self, base_url: str, transport: Transport, *, on_result: ResultHook | None = None,
                 backoff: Backoff = Backoff(), batch_size: int = BATCH_SIZE,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.base_url = base_url
        self.url = endpoint(base_url)
        self.transport = transport
        self.on_result = on_result or (lambda url, ok: None)
        self.backoff = backoff
        self.batch_size = batch_size
        self.sleep = sleep
        self.failures = 0  # consecutive failed posts
        self._pending: dict[str, dict] = {}
        self._wakeup = asyncio.Event()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def submit(self, alerts: dict[str, dict]) -> None:
        """Queue wire alerts by identity; never blocks, never raises on delivery problems."""
        if alerts:
            self._pending.update(alerts)
            self._wakeup.set()

    async def run(self) -> None:
        while True:
            await self._wakeup.wait()
            self._wakeup.clear()
            await self.drain()

    async def drain(self) -> None:
        while self._pending:
            batch = dict(itertools.islice(self._pending.items(), self.batch_size))
            for key in batch:
                del self._pending[key]
            if await self._post(batch) == "retry":
                for key, body in batch.items():
                    self._pending.setdefault(key, body)  # a newer version queued meanwhile wins
                await self.sleep(self.backoff.delay(self.failures))

    async def _post(self, batch: dict[str, dict]) -> Result:
        try:
            status = await self.transport(self.url, wire_batch(list(batch.values())))
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - refused, reset, timeout, DNS: all mean "try again"
            return self._failed(f"{type(error).__name__}: {error}", "retry")
        if 200 <= status < 300:
            return self._delivered(len(batch))
        if 400 <= status < 500 and status not in (408, 429):
            # Our request is wrong; sending it again cannot help. Counted as an error.
            return self._failed(f"rejected with HTTP {status}", "dropped")
        return self._failed(f"HTTP {status}", "retry")

    def _delivered(self, count: int) -> Result:
        if self.failures:
            log.warning("alertmanager %s reachable again after %d failed attempts", self.base_url, self.failures)
        self.failures = 0
        self.on_result(self.base_url, True)
        return "ok"

    def _failed(self, reason: str, result: Result) -> Result:
        self.failures += 1
        if self.failures == 1 or result == "dropped":  # one line per outage, not one per retry
            log.warning("alertmanager %s: delivery failed (%s); %s", self.base_url, reason,
                        "retrying with backoff" if result == "retry" else "dropped")
        self.on_result(self.base_url, False)
        return result


class Fanout:
    """Every alert to every configured Alertmanager (replicas are never load-balanced),
    with Prometheus' re-send cadence: an alert is re-sent once ``resend_every`` passed."""

    def __init__(self, clients: list[AlertmanagerClient], resend_every: timedelta,
                 wall_now: Callable[[], datetime]) -> None:
        self.clients = clients
        self.resend_every = resend_every
        self.wall_now = wall_now
        self._last_sent: dict[str, datetime] = {}

    def send(self, alerts: Iterable[Alert]) -> None:
        now = self.wall_now()
        batch = {}
        for alert in alerts:
            key = identity(alert)
            batch[key] = wire_alert(alert, now, self.resend_every)
            self._last_sent[key] = now
        for client in self.clients:
            client.submit(batch)

    def resend(self, alerts: Iterable[Alert]) -> int:
        """Re-send the alerts not sent for ``resend_every``; forget the ones not listed
        (no longer ours, or expired). Returns how many were re-sent."""
        now = self.wall_now()
        listed = {identity(a): a for a in alerts}
        self._last_sent = {k: t for k, t in self._last_sent.items() if k in listed}
        due = [a for k, a in listed.items() if k not in self._last_sent or now - self._last_sent[k] >= self.resend_every]
        self.send(due)
        return len(due)

    async def run(self) -> None:
        await asyncio.gather(*(client.run() for client in self.clients))


class AiohttpTransport:
    """POST with aiohttp (installed with Faust); one session per worker, opened lazily
    inside the running event loop."""

    def __init__(self, timeout_s: float = 10.0) -> None:
        self.timeout_s = timeout_s
        self._session = None

    async def __call__(self, url: str, body: bytes) -> int:
        import aiohttp

        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        async with self._session.post(url, data=body, headers={"Content-Type": "application/json"}) as response:
            await response.read()
            return response.status

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
