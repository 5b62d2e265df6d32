"""``leadsla bench-long-run`` at a small size: a real ``leadsla run`` (embedded broker, worker,
simulator) whose leads retire while it runs, read from its /metrics."""

from __future__ import annotations

import re
from datetime import timedelta

from tools.bench.long_run import run_long_run


def test_long_run_shows_leads_retiring_live_beside_the_tracked_ones_and_the_workers_memory(capsys):
    assert run_long_run(minutes=0.4, speed=14_400, leads_per_hour=40, retire_after=timedelta(hours=1),
                        every_s=5) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^\s+\d+s\s+\w{3} \d\d \w{3} \d\d:\d\d\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+(\d+) MiB$", out, re.M)
    assert len(rows) >= 2, out
    events, tracked, retired, rss = (int(v.replace(",", "")) for v in rows[-1])
    assert events > 0 and tracked > 0 and rss > 0, out
    assert retired > 0, out  # leads quiet for an hour of simulated time became tombstones while it ran
    assert re.search(r"tracked leads peak [\d,]+ in the first half, [\d,]+ in the second .* [\d,]+ tombstones", out)
