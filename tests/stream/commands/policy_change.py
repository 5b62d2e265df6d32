"""The hand-built period of tests/pure/report_period.py with a policy change in it: from Mon 2 Nov
2026 the mid-market target is 3h instead of 1h. Lead K is handed off that Monday at 10:00 and
called at 12:00: met under the new version (3h), breached under the old one (1h). C, handed
off on Friday and called 2h late, stays breached: it is judged by the version in force at
its handoff. Figures expected by the tests are worked out here by hand."""

from __future__ import annotations

from pathlib import Path

from tests.harness import REPO
from tests.pure.events import as_json_line, attempt, converted, handoff
from tests.pure.report_period import LINES, ny

OLD_TARGET = "match: {source: marketing, segment: mid-market}\n    speed_to_lead:\n      target: 1h"
NEW_TARGET = OLD_TARGET.replace("target: 1h", "target: 3h")

K_EVENTS = [converted(ny(11, 2, 10), "K", segment="mid-market", offer=None),
            handoff(ny(11, 2, 10), "K", rep="rep-a", team="inbound-east"),
            attempt(ny(11, 2, 12), "K", rep="rep-a", outcome="connected")]
CHANGE_LINES = [*LINES, *(as_json_line(e) for e in K_EVENTS)]


def example_text() -> str:
    return (REPO / "models" / "example_policy.yaml").read_text()


def relaxed_text() -> str:
    text = example_text()
    assert OLD_TARGET in text, "test setup: the example policy's mid-market target moved"
    return text.replace(OLD_TARGET, NEW_TARGET)


def write_events(folder: Path) -> Path:
    path = folder / "events.jsonl"
    path.write_text("\n".join(CHANGE_LINES) + "\n")
    return path


def write_history(folder: Path) -> Path:
    """Two versions: the example from 1 Jan 2026, the relaxed one from Mon 2 Nov 2026."""
    versions = folder / "policies"
    versions.mkdir()
    (versions / "2026-01-01.yaml").write_text(example_text())
    (versions / "2026-11-02-slower-mid-market.yaml").write_text(relaxed_text())
    return versions


def write_relaxed(folder: Path) -> Path:
    path = folder / "relaxed.yaml"
    path.write_text(relaxed_text())
    return path
