"""The benchmark's event generator, and a smoke run of ``leadsla bench`` at a tiny size."""

from __future__ import annotations

import re

import pytest

from streams.kafka.codec import decode_event
from tools.bench.pipeline import run_benchmark
from tools.bench.workload import generate

KINDS = {"conversions": "lead_converted", "handoffs": "handoff", "attempts": "contact_attempt"}


@pytest.mark.parametrize("events, leads", [(1000, 100), (150, 100)])
def test_generates_exactly_the_events_asked_for_valid_and_in_time_order(events, leads):
    records = generate(events, leads)

    assert len(records) == events
    assert [ts for *_, ts in records] == sorted(ts for *_, ts in records)
    decoded = [decode_event(value, KINDS[field]) for field, _, value, _ in records]
    assert len({event.event_id for event in decoded}) == events
    assert all(key == event.lead_id.encode() for (_, key, _, _), event in zip(records, decoded))
    assert len({event.lead_id for event in decoded}) <= leads


@pytest.mark.broker
def test_bench_measures_every_stage(kafka_bootstrap, capsys):
    assert run_benchmark(300, 30, bootstrap=kafka_bootstrap) == 0

    out = capsys.readouterr().out
    for label in ("raw consumer", "do-nothing Faust agent", "naive Faust agent", "pipeline \\(tracker"):
        rate = re.search(rf"^{label}.*?([\d,]+) ev/s", out, re.MULTILINE)
        assert rate and int(rate.group(1).replace(",", "")) > 0, out
    assert "pipeline / do-nothing agent" in out and "target >= 0.5x the do-nothing agent" in out
    produced = re.search(r"^messages produced per input event: ([\d.]+)", out, re.MULTILINE)
    assert produced and float(produced.group(1)) > 0, out
