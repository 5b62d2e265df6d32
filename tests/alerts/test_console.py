"""The console notifier: one line per change, saying what a page would say."""

from __future__ import annotations

from alerts.console import ConsoleNotifier
from alerts.lifecycle import step
from streams.runtime.policy_source import load_policy
from tests.alerts.outcomes import LATER, breach, escalation, outcome

POLICY = load_policy(None)


def lines_for(outcomes) -> list[str]:
    printed: list[str] = []
    notifier, state = ConsoleNotifier(printed.append), None
    for o in outcomes:
        state, changes = step(state, o, POLICY, partition=0, now=LATER)
        notifier.notify(changes)
    return printed


def test_a_breach_an_escalation_and_their_resolution_print_one_line_each():
    printed = lines_for([breach(), escalation(1), outcome("contacted_late", 40)])
    assert printed[0] == (
        "ALERT FIRING   PAGE LeadSLABreached  team=enterprise escalation=0 notify=rep  Lead L-1 (enterprise-demo, "
        "team enterprise, owner rep-ent-2) breached its speed-to-lead SLA: no first contact by Mon 2026-03-02 "
        "10:15 EST.  https://crm.example.com/leads/L-1")
    assert printed[1].startswith("ALERT FIRING   PAGE LeadSLAEscalated team=enterprise escalation=1 notify=manager")
    assert "escalated to manager (level 1)" in printed[1]
    assert printed[2:] == [
        "ALERT RESOLVED PAGE LeadSLABreached  team=enterprise escalation=0 notify=rep  Lead L-1 (owner rep-ent-2): resolved",
        "ALERT RESOLVED PAGE LeadSLAEscalated team=enterprise escalation=1 notify=manager  Lead L-1 (owner rep-ent-2): "
        "resolved"]


def test_a_replayed_outcome_prints_nothing_new():
    assert len(lines_for([breach(), breach()])) == 1
