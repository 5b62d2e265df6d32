"""A smoke run of ``leadsla bench-core`` at a tiny size: every figure is measured and printed."""

from __future__ import annotations

import re

from tools.bench.core import run_core_benchmark


def test_bench_core_prints_growth_memory_and_replay_against_its_baseline(capsys):
    assert run_core_benchmark(2_000) == 0
    out = capsys.readouterr().out
    growth = re.search(r"10th / 100th / 1,000th event: (\d+) / (\d+) / (\d+)\s+\(1,000th = ([\d.]+)×", out)
    assert growth and all(int(figure) > 0 for figure in growth.groups()[:3])
    assert re.search(r"memory per waiting lead: [\d,]+ B over 20,000 leads", out)
    assert "read + JSON decode (baseline):" in out
    replay = re.findall(r"evaluate --events --jobs (\d+): 2,000 events in [\d.]+ s = [\d,]+ ev/s \(([\d.]+)× the baseline"
                        r".*peak RSS [\d,]+ MiB", out)
    assert replay and replay[0][0] == "1" and all(float(ratio) > 0 for _, ratio in replay), out
