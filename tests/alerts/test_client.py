"""Delivery to Alertmanager: the layer above the HTTP transport with a fake one, and
the wire format against a real Alertmanager."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from alerts.api import rfc3339, wire_alert
from alerts.client import AiohttpTransport, AlertmanagerClient, Backoff, Fanout
from alerts.generate import render
from alerts.lifecycle import step
from alerts.routing import alertmanager_config
from streams.runtime.policy_source import load_policy
from tests.alerts.outcomes import LATER, breach, minutes, outcome, warning
from tools.local.alertmanager import LocalAlertmanager, alertmanager_binary

POLICY = load_policy(None)


class FakeTransport:
    """Answers each post with the next status (or raises it); records what was posted."""

    def __init__(self, *answers) -> None:
        self.answers = list(answers)
        self.posts: list[tuple[str, bytes]] = []

    async def __call__(self, url: str, body: bytes) -> int:
        self.posts.append((url, body))
        answer = self.answers.pop(0) if self.answers else 200
        if isinstance(answer, Exception):
            raise answer
        return answer


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def alert_of(o, now=LATER):
    state, _ = step(None, o, POLICY, partition=0, now=now)
    return state.alerts[0]


def client(transport, results=None, sleeps=None) -> AlertmanagerClient:
    hook = (lambda url, ok: results.append(ok)) if results is not None else None
    return AlertmanagerClient("http://am-1:9093/", transport, on_result=hook, sleep=sleeps or Sleeps())


def test_a_down_alertmanager_is_retried_with_growing_backoff_until_it_answers():
    transport = FakeTransport(ConnectionRefusedError("refused"), 503, ConnectionResetError("reset"), 200)
    results, sleeps = [], Sleeps()
    am = client(transport, results, sleeps)
    am.submit({"a": {"labels": {"alertname": "A"}}})
    asyncio.run(am.drain())
    assert results == [False, False, False, True]
    assert sleeps.delays == [0.5, 1.0, 2.0]
    assert am.pending == 0 and len(transport.posts) == 4
    assert transport.posts[0][0] == "http://am-1:9093/api/v2/alerts"


def test_backoff_is_bounded():
    assert [Backoff().delay(n) for n in (1, 2, 5, 6, 50)] == [0.5, 1.0, 8.0, 10.0, 10.0]


def test_a_rejected_batch_is_counted_as_an_error_and_not_retried():
    results = []
    am = client(FakeTransport(400), results)
    am.submit({"a": {"labels": {}}})
    asyncio.run(am.drain())
    assert results == [False] and am.pending == 0


def test_only_the_latest_version_of_an_alert_waits_in_the_queue():
    transport = FakeTransport(200)
    am = client(transport)
    am.submit({"a": {"v": 1}, "b": {"v": 1}})
    am.submit({"a": {"v": 2}})
    assert am.pending == 2
    asyncio.run(am.drain())
    assert transport.posts[0][1] == b'[{"v":2},{"v":1}]'


def test_every_alertmanager_gets_every_alert_and_re_sends_wait_for_the_interval():
    first, second = FakeTransport(), FakeTransport()
    now = [LATER]
    fanout = Fanout([client(first), client(second)], timedelta(seconds=30), lambda: now[0])
    alerts = [alert_of(warning()), alert_of(breach())]
    fanout.send(alerts)
    assert fanout.resend(alerts) == 0  # just sent
    now[0] = LATER + timedelta(seconds=30)
    assert fanout.resend(alerts) == 2
    for am in fanout.clients:
        asyncio.run(am.drain())
    assert len(first.posts) == len(second.posts) == 1  # coalesced: both sends in one post each


def test_a_firing_alert_expires_on_its_own_if_the_sender_dies_and_a_resolved_one_carries_its_end():
    firing = wire_alert(alert_of(breach()), LATER, timedelta(seconds=30))
    assert firing["endsAt"] == rfc3339(LATER + timedelta(minutes=2)) == "2026-03-03T00:02:00.000Z"
    assert firing["startsAt"] == "2026-03-02T15:15:00.000Z"
    assert firing["generatorURL"] == "https://crm.example.com/leads/L-1"
    state, _ = step(None, breach(), POLICY, partition=0, now=LATER)
    state, _ = step(state, outcome("contacted_late", 40), POLICY, partition=0, now=LATER)
    assert wire_alert(state.alerts[0], LATER + minutes(1), timedelta(seconds=30))["endsAt"] == (
        "2026-03-02T15:40:00.000Z")


@pytest.fixture
def real_alertmanager(tmp_path):
    if alertmanager_binary() is None:
        pytest.fail("prometheus-alertmanager is not installed: scripts/test installs it from Debian")
    config = render(alertmanager_config(POLICY, webhook_url="http://127.0.0.1:9/unused"))
    with LocalAlertmanager(config, tmp_path) as alertmanager:
        yield alertmanager


def test_a_real_alertmanager_accepts_the_alerts_and_forgets_them_once_resolved(real_alertmanager):
    results = []
    transport = AiohttpTransport()
    am = AlertmanagerClient(real_alertmanager.url, transport, on_result=lambda url, ok: results.append(ok))
    now = datetime.now(timezone.utc)
    state, _ = step(None, breach(), POLICY, partition=0, now=now)

    async def post(alerts) -> None:
        am.submit({str(i): wire_alert(a, now, timedelta(seconds=30)) for i, a in enumerate(alerts)})
        await am.drain()

    async def scenario():
        await post(state.alerts)
        held = real_alertmanager.active_alerts()
        resolved, _ = step(state, outcome("contacted_late", 40), POLICY, partition=0, now=now)
        await post(resolved.alerts)
        await transport.close()
        return held, real_alertmanager.active_alerts()

    held, after = asyncio.run(scenario())
    assert results == [True, True]
    assert [a["labels"]["alertname"] for a in held] == ["LeadSLABreached"]
    assert held[0]["labels"]["lead_id"] == "L-1" and held[0]["status"]["state"] == "active"
    assert held[0]["annotations"]["lead_url"] == "https://crm.example.com/leads/L-1"
    assert after == []
