"""The alerting agent's sweep over its partition of the alert-state table (a dict here, as the
Faust table it stands for only stores what the sweep writes)."""

from __future__ import annotations

from alerts.lifecycle import step
from streams.runtime.alerting import _Sweeper
from streams.runtime.policy_source import load_policy
from tests.alerts.outcomes import LATER, breach, minutes, outcome

POLICY = load_policy(None)


def stored(outcomes, partition: int = 3):
    state = None
    for item in outcomes:
        state, _ = step(state, item, POLICY, partition=partition, now=LATER)
    return state


def test_the_sweep_ends_alerts_of_leads_gone_quiet_and_deletes_states_resolved_long_ago():
    table = {"abandoned": stored([breach()]), "settled": stored([breach(), outcome("contacted_late", 40)]),
             "elsewhere": stored([breach()], partition=5)}
    heard = []
    sweeper = _Sweeper(table, POLICY.alerts.keep_resolved_for, POLICY.retire_after, heard.extend)
    sweeper.maybe_sweep(3, LATER + minutes(1))
    assert set(table) == {"abandoned", "settled", "elsewhere"} and heard == []  # all still recent
    later = LATER + POLICY.retire_after
    sweeper.maybe_sweep(3, later)
    assert "settled" not in table  # resolved more than keep_resolved_for ago
    assert [(c.status, c.alert.labels["lead_id"]) for c in heard] == [("resolved", "L-1")]
    assert table["abandoned"].firing() == [] and table["abandoned"].settled_at == later
    assert table["elsewhere"].firing() != []  # another partition's: swept by the worker whose events write it
