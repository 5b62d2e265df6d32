"""The alerting sweep over the alert-state table. It runs on a timer, not in the agent's
stream, so it writes the store and the state's own changelog partition itself
(streams.runtime.table_writes); the table here records what a Faust table would be asked to do."""

from __future__ import annotations

from alerts.lifecycle import step
from streams.runtime.alerting import _Sweeper
from streams.runtime.policy_source import load_policy
from tests.alerts.outcomes import LATER, breach, minutes, outcome

POLICY = load_policy(None)


class RecordingTable:
    """A Faust table's two halves the sweep uses: its store and its changelog."""

    def __init__(self, data: dict) -> None:
        self.data, self.changelog = data, []

    def send_changelog(self, partition, key, value, value_serializer=None):
        self.changelog.append((partition, key, value))


def stored(outcomes, partition: int = 3):
    state = None
    for item in outcomes:
        state, _ = step(state, item, POLICY, partition=partition, now=LATER)
    return state


def test_the_sweep_ends_alerts_of_leads_gone_quiet_and_deletes_states_resolved_long_ago():
    table = RecordingTable({"abandoned": stored([breach()]),
                            "settled": stored([breach(), outcome("contacted_late", 40)]),
                            "elsewhere": stored([breach()], partition=5)})
    heard = []
    sweeper = _Sweeper(table, POLICY.alerts.keep_resolved_for, POLICY.retire_after, heard.extend)
    sweeper.sweep({3}, LATER + minutes(1))
    assert set(table.data) == {"abandoned", "settled", "elsewhere"} and heard == [] and table.changelog == []
    later = LATER + POLICY.retire_after
    sweeper.sweep({3}, later)
    assert "settled" not in table.data  # resolved more than keep_resolved_for ago
    assert [(c.status, c.alert.labels["lead_id"]) for c in heard] == [("resolved", "L-1")]
    assert table.data["abandoned"].firing() == [] and table.data["abandoned"].settled_at == later
    assert table.data["elsewhere"].firing() != []  # a partition another worker owns: its sweep's
    # Both changes reach the changelog partition of the state's own outcomes partition, the
    # deletion as a tombstone: a worker recovering partition 3 restores exactly this.
    assert sorted(table.changelog, key=str) == sorted([(3, "settled", None), (3, "abandoned", table.data["abandoned"])],
                                                      key=str)

