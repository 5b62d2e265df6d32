"""The fault suite's verdict: the outcomes topic against ``leadsla evaluate --broker``.

evaluate replays the same input topics through the pure core; the live outcome set
must equal it: nothing missing, nothing extra, and no outcome id with two contents.
Identical re-sends (a record read again after a crash) are allowed, so live
outcomes are deduplicated by (id, content).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from models.dead_letters import DeadLetter
from models.outcomes import Outcome
from streams.kafka.admin import read_topic
from tests.harness import REPO

# Every decision of a lead falls within this long after its last event (FAULT_POLICY).
HORIZON = timedelta(seconds=30)


@dataclass(frozen=True)
class Comparison:
    expected: dict[str, str]  # outcome id -> content, from evaluate
    live: dict[str, set[str]]  # outcome id -> the contents announced
    records: int  # outcome records on the topic, re-sends included

    @property
    def missing(self) -> list[str]:
        return sorted(set(self.expected) - set(self.live))

    @property
    def extra(self) -> list[str]:
        return sorted(set(self.live) - set(self.expected))

    @property
    def two_contents(self) -> list[str]:
        return sorted(key for key, texts in self.live.items() if len(texts) > 1)

    @property
    def different(self) -> list[str]:
        return sorted(key for key, texts in self.live.items()
                      if len(texts) == 1 and key in self.expected and self.expected[key] not in texts)

    def summary(self) -> str:
        return (f"{len(self.expected)} expected, {self.records} records, {len(self.missing)} missing, "
                f"{len(self.extra)} extra, {len(self.two_contents)} with two contents, "
                f"{len(self.different)} different")

    def exact(self) -> bool:
        return not (self.missing or self.extra or self.two_contents or self.different)

    def details(self) -> str:
        corrected = [(key, self.live[key], self.expected.get(key.split("/corrected/")[0]))
                     for key in self.extra[:3] if "/corrected/" in key]
        from streams.kafka.partitioning import partition_for
        by_partition: dict[int, int] = {}
        for key in self.missing:
            p = partition_for(key.split("/")[0], 4)
            by_partition[p] = by_partition.get(p, 0) + 1
        return (f"missing by partition {by_partition}\nmissing {self.missing[:8]}\nextra {self.extra[:8]}\ncorrections (withdrawn, expected) {corrected}\n"
                f"two contents {[(k, self.live[k]) for k in self.two_contents[:3]]}\n"
                f"different {[(k, self.expected[k], self.live[k]) for k in self.different[:3]]}")


def canonical(outcome: Outcome) -> str:
    return json.dumps(json.loads(outcome.model_dump_json(exclude_none=True)), sort_keys=True)


def evaluated(pipeline, as_of: datetime) -> dict[str, str]:
    """``leadsla evaluate --broker`` over the pipeline's input topics, as an auditor runs it."""
    result = subprocess.run([sys.executable, "-m", "streams.cli", "evaluate", "--broker", pipeline.settings.bootstrap,
                             "--as-of", as_of.isoformat(), "--allow-rejects", "--jobs", "1",
                             "--policy", str(pipeline.settings.policy_path)],
                            capture_output=True, text=True, cwd=REPO, env=pipeline.env(), timeout=120)
    assert result.returncode == 0, result.stderr
    found = [Outcome.model_validate_json(line) for line in result.stdout.splitlines() if line]
    return {o.outcome_id: canonical(o) for o in found}


def live_outcomes(pipeline) -> list[Outcome]:
    return [Outcome.model_validate_json(r.value) for r in
            read_topic(pipeline.settings.bootstrap, pipeline.settings.topics.outcomes, timeout_s=30)]


def compare_when_settled(pipeline, stream_end: datetime, quiet_s: float = 4, timeout_s: float = 120) -> Comparison:
    """Once the stream has ended: evaluate's outcomes as of its end + the horizon, then
    the live ones once they hold every expected id and none came for ``quiet_s`` (so a
    late correction or a second content would be seen too)."""
    expected = evaluated(pipeline, stream_end + HORIZON)
    deadline, count, since = time.monotonic() + timeout_s, -1, time.monotonic()
    while True:
        found = live_outcomes(pipeline)
        if len(found) != count:
            count, since = len(found), time.monotonic()
        complete = set(expected) <= {o.outcome_id for o in found}
        if (complete and time.monotonic() - since >= quiet_s) or time.monotonic() > deadline:
            break
        time.sleep(1)
    live: dict[str, set[str]] = {}
    for outcome in found:
        live.setdefault(outcome.outcome_id, set()).add(canonical(outcome))
    return Comparison(expected, live, len(found))


POISON_CODES = {"malformed_json", "not_an_object", "invalid_field", "unknown_schema_version", "wrong_kind",
                "oversize", "undecodable"}


def records_behind(pipeline, comparison: Comparison) -> str:
    """For a failure: every input record of the leads that differ, where it sits, and any
    dead letter a poison record does not explain (a valid record refused)."""
    topics = pipeline.settings.topics
    leads = {key.split("/")[0] for key in comparison.missing + comparison.extra + comparison.different}
    lines = [f"leads that differ: {sorted(leads)}"]
    for name in ("conversions", "handoffs", "attempts"):
        for r in read_topic(pipeline.settings.bootstrap, getattr(topics, name), timeout_s=30):
            if r.key and r.key.decode() in leads:
                lines.append(f"  {name}[{r.partition}]@{r.offset} t={r.timestamp} {r.value[:160]!r}")
    for table in ("lead-state", "partition-clock"):
        for r in read_topic(pipeline.settings.bootstrap, f"{pipeline.settings.app_id}-{table}-changelog", timeout_s=30):
            if table == "partition-clock" or (r.key and r.key.decode().strip('"') in leads):
                lines.append(f"  {table}[{r.partition}]@{r.offset} t={r.timestamp} {r.key!r} {(r.value or b'')[:400]!r}")
    letters = [DeadLetter.model_validate_json(r.value) for r in
               read_topic(pipeline.settings.bootstrap, topics.dead_letters, timeout_s=30)]
    lines += [f"  dead letter {d.code}: {d.reason} ({d.source_topic}[{d.partition}]@{d.offset})"
              for d in letters if d.code not in POISON_CODES]
    return "\n".join(lines)


def dead_letter_sources(pipeline) -> set[tuple[str, int, int]]:
    """Where each dead letter came from (re-sends after a crash name the same record)."""
    records = read_topic(pipeline.settings.bootstrap, pipeline.settings.topics.dead_letters, timeout_s=30)
    letters = [DeadLetter.model_validate_json(r.value) for r in records]
    return {(d.source_topic, d.partition, d.offset) for d in letters}


def now() -> datetime:
    return datetime.now(timezone.utc)
