"""Marketing's side, live, on the real broker: the worker reads the deals topic (bad deals to
dead letters with a reason), keeps the closed loop, and serves the window's figures exactly as
``leadsla goals`` computes them from the same events, and the month-to-date waterfall per
goal group by the event-time watermark."""

from __future__ import annotations

import json
import signal
import time
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from prometheus_client.parser import text_string_to_metric_families

from models.closed_loop import Month, window
from models.events import DealClosed, LeadConverted
from models.goal_report import closed_loop_book, closed_loop_window, goal_report, goal_zone
from models.policy_file import parse_policy
from streams.kafka.admin import read_topic
from streams.kafka.broker import free_port
from streams.metrics import names
from streams.runtime.policy_source import load_policy
from tests.harness import REPO, wait_for

pytestmark = pytest.mark.broker
POLICY = load_policy(None)


def scrape(port: int) -> dict[tuple, float]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as answer:
            text = answer.read().decode()
    except OSError:
        return {}
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def converted(lead: str, at: datetime, segment: str, offer: str | None = None, source: str = "marketing"):
    return LeadConverted(schema_version=1, event_id=f"{lead}-c", lead_id=lead, occurred_at=at, source=source,
                         segment=segment, offer=offer)


def deal(lead: str, deal_id: str, at: datetime, status: str, amount: float, n: int = 1):
    return DealClosed(schema_version=1, event_id=f"{deal_id}-{n}", lead_id=lead, deal_id=deal_id, occurred_at=at,
                      status=status, amount=amount)


def scenario(now: datetime) -> list:
    zone = goal_zone(POLICY)
    this_month = Month.of(now, zone)
    settings = closed_loop_window(POLICY)
    months = window(this_month, settings.window_months, settings.sales_cycle_months)
    mid = [m.start(zone) + timedelta(days=14) for m in months]
    return [
        converted("L-a", mid[0], "mid-market"), deal("L-a", "D-a", mid[1], "won", 15_000),
        converted("L-b", mid[0], "mid-market"), deal("L-b", "D-b", mid[1], "lost", 9_000),
        converted("L-c", mid[1], "smb"), deal("L-c", "D-c", mid[2], "won", 3_000),
        deal("L-c", "D-c", mid[3], "lost", 3_000, n=2),  # reopened, then lost: the latest record holds
        converted("L-d", mid[1], "enterprise", "whitepaper"), deal("L-d", "D-d", now - timedelta(minutes=3), "won",
                                                                  80_000),  # closed this month: not yet known
        converted("L-e", mid[2], "enterprise", "demo-request"), deal("L-e", "D-e", mid[4], "won", 60_000),
        converted("L-s", mid[2], "smb", source="sales"), deal("L-s", "D-s", mid[4], "won", 5_000),
        # This month's marketing leads, for the waterfall (and one of Sales').
        converted("L-now-1", now - timedelta(minutes=2), "mid-market"),
        converted("L-now-2", now - timedelta(minutes=2), "smb"),
        converted("L-now-3", now - timedelta(minutes=2), "enterprise", "demo-request"),
        converted("L-now-4", now - timedelta(minutes=2), "smb", source="sales"),
    ]


def goals_for_this_month(events: list, now: datetime, policy=POLICY):
    """What `leadsla goals --month <this month>` computes, through the offline book."""
    target = Month.of(now, goal_zone(policy))
    book = closed_loop_book(policy, target)
    for event in events:
        book.add(event)
    return goal_report(policy, book, target, closed_loop_window(policy))


def expected_figures(events: list, now: datetime, policy=POLICY) -> dict[tuple, float]:
    report = goals_for_this_month(events, now, policy)
    expected = {}
    for group in report.groups + (report.total,):
        for month in group.months:
            for figure in names.CLOSED_LOOP_FIGURES:
                value = {"customer_revenue": month.customer_revenue, "group_revenue": month.group_revenue,
                         "won_revenue": month.won_revenue}.get(figure, getattr(month, figure, None))
                labels = (("figure", figure), ("group", group.name), ("month", str(month.month)))
                expected[(names.CLOSED_LOOP.name, labels)] = float(value)
    return expected


def test_the_worker_keeps_the_closed_loop_and_the_waterfall_by_event_time(pipeline):
    port = free_port()
    pipeline.settings = pipeline.settings.but(metrics_port=port)
    now = datetime.now(timezone.utc)
    events = scenario(now)
    pipeline.produce_events(events)
    bad = {"schema_version": 1, "event_id": "bad-1", "lead_id": "L-bad", "deal_id": "D-bad",
           "occurred_at": now.isoformat(), "status": "maybe", "amount": 10}
    pipeline.produce_raw(pipeline.settings.topics.deals, b"L-bad", json.dumps(bad).encode())
    pipeline.start_worker()

    expected = expected_figures(events, now)
    served = wait_for(lambda: scrape(port), lambda got: all(got.get(k) == v for k, v in expected.items())
                      and got.get((names.GROUP_LEADS.name, (("group", "total"),))) == 3, timeout_s=90)
    assert {k: served.get(k) for k in expected} == expected, pipeline.worker_logs()
    customers = {}
    for (name, labels), value in served.items():
        if name == names.CLOSED_LOOP.name and dict(labels)["figure"] == "customers" and value:
            customers[dict(labels)["group"]] = customers.get(dict(labels)["group"], 0) + value
    assert customers == {"mid-market": 1.0, "enterprise-demos": 1.0, "total": 2.0}  # L-c lost; L-d not yet closed
    waterfall = {dict(labels)["group"]: v for (name, labels), v in served.items() if name == names.GROUP_LEADS.name}
    assert waterfall == {"enterprise-demos": 1.0, "enterprise-content": 0.0, "mid-market": 1.0, "smb": 1.0,
                         "total": 3.0}
    today = now.astimezone(goal_zone(POLICY)).day
    assert served[(names.MONTH_DAY.name, ())] == today

    letters = [json.loads(r.value) for r in read_topic(pipeline.settings.bootstrap,
                                                          pipeline.settings.topics.dead_letters)]
    deal_letters = [letter for letter in letters if letter["source_topic"] == pipeline.settings.topics.deals]
    assert [(letter["code"], "status" in letter["reason"]) for letter in deal_letters] == [("invalid_field", True)]
    assert served[(names.DEAD_LETTERS.name, (("reason", "invalid_field"), ("topic", pipeline.settings.topics.deals)))] == 1


def test_a_worker_killed_and_restarted_serves_the_same_closed_loop_from_its_changelog(pipeline):
    port = free_port()
    pipeline.settings = pipeline.settings.but(metrics_port=port)
    now = datetime.now(timezone.utc)
    events = scenario(now)
    pipeline.produce_events(events)
    pipeline.start_worker()
    expected = expected_figures(events, now)

    def serves(got: dict) -> bool:
        return all(got.get(k) == v for k, v in expected.items())

    assert serves(wait_for(lambda: scrape(port), serves, timeout_s=90)), pipeline.worker_logs()
    time.sleep(6)  # a commit: the table's changes are in its changelog
    pipeline.stop_workers(signal.SIGKILL)
    pipeline.start_worker()
    served = wait_for(lambda: scrape(port), serves, timeout_s=120)
    assert {k: served.get(k) for k in expected} == expected, pipeline.worker_logs()


def test_two_workers_each_report_their_partitions_and_their_sums_are_leadsla_goals(pipeline):
    """The recording rules add the workers' figures up: that is exact only if each lead's
    conversions and deals are counted by exactly one worker."""
    ports = [free_port(), free_port()]
    now = datetime.now(timezone.utc)
    events = scenario(now) + [converted(f"L-more-{n}", now - timedelta(days=200 + n), "mid-market")
                              for n in range(20)]
    pipeline.produce_events(events)
    for port in ports:
        pipeline.settings = pipeline.settings.but(metrics_port=port)
        pipeline.start_worker(own_data_dir=True)
    expected = expected_figures(events, now)

    def summed() -> dict:
        pages = [scrape(port) for port in ports]
        total: dict = {}
        for page in pages:
            for key, value in page.items():
                if key[0] == names.CLOSED_LOOP.name:
                    total[key] = total.get(key, 0.0) + value
        both_split = all(any(k[0] == names.CLOSED_LOOP.name and v for k, v in page.items()) for page in pages)
        return total if both_split else {}

    served = wait_for(summed, lambda got: all(got.get(k) == v for k, v in expected.items()), timeout_s=150)
    assert {k: served.get(k) for k in expected} == expected, pipeline.worker_logs()


# The shipped policy with the cycle computed from the deals, and a group that prices its leads by offer.
AUTO_TEXT = (REPO / "models" / "example_policy.yaml").read_text().replace(
    "sales_cycle_months: 3}", "sales_cycle_months: auto}"
).replace("  groups:\n", """  groups:
    - name: enterprise-offers
      select: {segment: enterprise}
      mode: value
      lead_value: 1000
      lead_values:
        offer: {demo-request: 5000, whitepaper: 800}
""", 1)
AUTO_POLICY = parse_policy(AUTO_TEXT)


def auto_scenario(now: datetime) -> list:
    """In each of the 2nd to 7th months before this one, a mid-market lead converted on the 15th won a deal
    of 10,000 30 days later, and an enterprise demo request lost its deal: every won deal took 30 days,
    1.0 months, so the cycle is 1 month (the policy's default is 3) and the window the 7th to the 2nd
    months before this one. A deal won this month is not known yet. This month: three enterprise leads,
    worth 5,000 (demo request), 800 (whitepaper) and 1,000 (no offer: the group's lead_value)."""
    zone = goal_zone(AUTO_POLICY)
    this_month = Month.of(now, zone)
    events = []
    for back in range(2, 8):
        mid = this_month.plus(-back).start(zone) + timedelta(days=14)
        events += [converted(f"L-mm-{back}", mid, "mid-market"),
                   deal(f"L-mm-{back}", f"D-mm-{back}", mid + timedelta(days=30), "won", 10_000),
                   converted(f"L-ent-{back}", mid, "enterprise", "demo-request"),
                   deal(f"L-ent-{back}", f"D-ent-{back}", mid + timedelta(days=20), "lost", 40_000)]
    events.append(deal("L-mm-2", "D-late", now - timedelta(minutes=3), "won", 99_000))
    events += [converted("L-now-demo", now - timedelta(minutes=2), "enterprise", "demo-request"),
               converted("L-now-paper", now - timedelta(minutes=2), "enterprise", "whitepaper"),
               converted("L-now-plain", now - timedelta(minutes=2), "enterprise"),
               converted("L-now-smb", now - timedelta(minutes=2), "smb")]
    return events


def test_with_an_auto_cycle_the_worker_learns_from_the_window_leadsla_goals_uses(pipeline):
    """`sales_cycle_months: auto`: the worker computes the cycle from the deals it holds, for its
    watermark's month, and serves it with the window's figures, as `leadsla goals` computes them; a group
    priced by offer gets the month's value of each lead."""
    port = free_port()
    policy_path = pipeline.workdir / "auto-policy.yaml"
    policy_path.write_text(AUTO_TEXT)
    pipeline.settings = pipeline.settings.but(metrics_port=port, policy_path=policy_path)
    now = datetime.now(timezone.utc)
    events = auto_scenario(now)
    pipeline.produce_events(events)
    pipeline.start_worker()

    report = goals_for_this_month(events, now, AUTO_POLICY)
    assert (report.sales_cycle.months, report.sales_cycle.computed_from_deals) == (1, 6)
    expected = expected_figures(events, now, AUTO_POLICY)
    assert {dict(labels)["month"] for _, labels in expected} == {str(m) for m in report.window}
    cycle, value = (names.CLOSED_LOOP_CYCLE.name, ()), (names.GROUP_VALUE.name, (("group", "enterprise-offers"),))
    served = wait_for(lambda: scrape(port), lambda got: all(got.get(k) == v for k, v in expected.items())
                      and got.get(cycle) == 1 and got.get(value) == 6800, timeout_s=90)
    assert {k: served.get(k) for k in expected} == expected, pipeline.worker_logs()
    assert {key for key in served if key[0] == names.CLOSED_LOOP.name} == set(expected)  # no other month
    assert (served.get(cycle), served.get(value)) == (1, 5000 + 800 + 1000)
    assert served[(names.GROUP_LEADS.name, (("group", "enterprise-offers"),))] == 3
