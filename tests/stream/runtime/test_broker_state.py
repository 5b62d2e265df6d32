"""What the worker says about its broker, probe by probe: one line when it goes, one when it is back,
the gauges in between, and a loss named once when it comes back without the worker's topics."""

from __future__ import annotations

import asyncio
import logging
import ssl

import faust
from prometheus_client import CollectorRegistry

from streams.kafka.metadata_probe import BrokerUnreachable, ClusterView
from streams.kafka.security import KafkaSecurity
from streams.metrics import names
from streams.metrics.pipeline import PipelineMetrics
from streams.runtime.broker_state import CONFIRMING_ANSWERS, EMBEDDED_ADVICE, KAFKA_ADVICE, BrokerState
from streams.runtime.app import _faust_settings
from streams.runtime.broker_watch import BrokerWatch, probe_auth
from streams.runtime.settings import Settings

ADDRESS = "kafka-1:9092"
START = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
WATCHED = ["p.lead-conversions", "p.handoffs", "p.contact-attempts", "p.deals", "p.ticks.app", "p.outcomes",
           "app-lead-state-changelog"]


def view(*topics: str, cluster: str | None = "cluster-a") -> ClusterView:
    return ClusterView(cluster, frozenset(topics))


def test_one_line_when_the_broker_stops_answering_and_one_when_it_is_back():
    state = BrokerState(ADDRESS, START)
    assert state.failed("no answer within 5 s") == (
        "broker kafka-1:9092 unreachable since 2023-11-14 22:13:20 UTC (no answer within 5 s), retrying; "
        "outcomes are held until it answers")
    assert state.failed("cannot connect") is None  # still away: said already
    assert state.answered(START + 42.4) == "broker kafka-1:9092 reachable again after 42 s"
    assert state.answered(START + 43) is None
    assert state.failed("cannot connect").startswith("broker kafka-1:9092 unreachable since 2023-11-14 22:14:03 UTC")


def test_topics_the_broker_holds_are_remembered_and_one_it_held_no_longer_is_a_loss():
    state = BrokerState(ADDRESS, START)
    assert state.check(view(*WATCHED[:-1]), WATCHED) is None  # the changelog not created yet: nothing lost
    assert state.check(view(*WATCHED), WATCHED) is None
    answers = [state.check(view(*WATCHED[:-1]), WATCHED) for _ in range(CONFIRMING_ANSWERS)]
    assert answers[:-1] == [None] * (CONFIRMING_ANSWERS - 1)  # a broker just restarted may not know it yet
    loss = answers[-1]
    assert loss == state.lost
    assert loss.startswith("the broker at kafka-1:9092 lost topic app-lead-state-changelog (restarted empty?): "
                           "the input records, table changelogs and committed offsets this worker stood on are gone")
    assert loss.endswith(KAFKA_ADVICE)


def test_a_topic_missing_from_fewer_answers_in_a_row_is_no_loss():
    state = BrokerState(ADDRESS, START)
    state.check(view(*WATCHED), WATCHED)
    for _ in range(3):
        for _ in range(CONFIRMING_ANSWERS - 1):
            assert state.check(view(*WATCHED[1:]), WATCHED) is None
        assert state.check(view(*WATCHED), WATCHED) is None
    assert state.lost is None


def test_a_broker_back_empty_names_the_inputs_first_counts_the_rest_and_its_new_cluster_id():
    state = BrokerState(ADDRESS, START, EMBEDDED_ADVICE)
    state.check(view(*WATCHED), WATCHED)
    loss = state.check(view(cluster="cluster-b"), WATCHED)
    assert loss.startswith("the broker at kafka-1:9092 lost topics p.lead-conversions, p.handoffs, "
                           "p.contact-attempts and 4 more (restarted empty? its cluster id changed from cluster-a "
                           "to cluster-b)")
    assert "restart the stack" in loss


def test_another_cluster_on_the_address_is_a_loss_even_with_topics_of_the_same_names():
    state = BrokerState(ADDRESS, START)
    state.check(view(*WATCHED), WATCHED)
    loss = state.check(view(*WATCHED, cluster="cluster-b"), WATCHED)
    assert loss.startswith("the broker at kafka-1:9092 is another cluster now (its cluster id changed from "
                           "cluster-a to cluster-b: restarted empty?)")


def test_a_broker_that_does_not_say_its_cluster_id_is_judged_by_its_topics_alone():
    state = BrokerState(ADDRESS, START)
    assert state.check(view(*WATCHED, cluster=None), WATCHED) is None
    assert state.check(view(*WATCHED, cluster="cluster-b"), WATCHED) is None  # first said now: nothing to compare


class Probe:
    """Answers from a script: a ClusterView, or an exception to raise."""

    def __init__(self, *answers) -> None:
        self.answers, self.closed = list(answers), False

    async def look(self, topics):
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def close(self) -> None:
        self.closed = True


def watch_with(probe: Probe, times: list[float]) -> tuple[BrokerWatch, PipelineMetrics, list[str]]:
    metrics, lost = PipelineMetrics(CollectorRegistry()), []
    watch = BrokerWatch(BrokerState(ADDRESS, START), probe, lambda: WATCHED, metrics, lost.append,
                        clock=lambda: times.pop(0))
    return watch, metrics, lost


def gauges(metrics: PipelineMetrics) -> tuple[float, float]:
    value = metrics.registry.get_sample_value
    return value(names.BROKER_UP.name), value(names.BROKER_UNREACHABLE.name)


def test_the_watch_logs_each_change_once_and_the_gauges_follow(caplog):
    probe = Probe(view(*WATCHED), BrokerUnreachable("no answer within 5 s"), BrokerUnreachable("cannot connect"),
                  view(*WATCHED))
    watch, metrics, lost = watch_with(probe, [START + 1, START + 30])
    assert gauges(metrics) == (1, 0)
    with caplog.at_level(logging.WARNING, logger="leadsla.broker"):
        asyncio.run(watch.check_once())
        asyncio.run(watch.check_once())
        up, away = gauges(metrics)
        assert up == 0 and away > 1_000_000  # since START + 1, years ago: counted at the scrape
        asyncio.run(watch.check_once())
        asyncio.run(watch.check_once())
    assert gauges(metrics) == (1, 0)
    assert [r.getMessage()[:36] for r in caplog.records] == ["broker kafka-1:9092 unreachable sinc",
                                                             "broker kafka-1:9092 reachable again "]
    assert "again after 29 s" in caplog.records[1].getMessage() and lost == []


def test_the_watch_reports_a_loss_once_and_stops_probing(caplog):
    probe = Probe(view(*WATCHED), view(cluster="cluster-b"), view(*WATCHED))
    watch, _, lost = watch_with(probe, [START + 1, START + 2, START + 3])
    with caplog.at_level(logging.ERROR, logger="leadsla.broker"):
        asyncio.run(watch.run(lambda: False, interval_s=0))
    assert len(lost) == 1 and lost[0] == watch.lost and "lost topics p.lead-conversions" in lost[0]
    assert [r.getMessage() for r in caplog.records] == [f"stopping: {lost[0]}"]
    assert probe.answers == [view(*WATCHED)] and probe.closed  # no probe after the loss; its connection closed


def test_the_probe_connects_as_the_worker_does():
    security = KafkaSecurity(security_protocol="SASL_SSL", sasl_mechanism="SCRAM-SHA-512", sasl_username="leadsla",
                             sasl_password="s3cret")
    app = faust.App("t", **_faust_settings(Settings(broker="kafka.example:9093", kafka_security=security)))
    auth = probe_auth(app)
    assert (auth["security_protocol"], auth["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert (auth["sasl_plain_username"], auth["sasl_plain_password"]) == ("leadsla", "s3cret")
    assert auth["ssl_context"].verify_mode == ssl.CERT_REQUIRED
    plain = faust.App("t", **_faust_settings(Settings(broker="k:9092")))
    assert probe_auth(plain) == {"security_protocol": "PLAINTEXT"}
