"""Alert state from outcomes (pure): what fires, what resolves, and what an on-call reads."""

from __future__ import annotations

from functools import reduce

import pytest

from alerts.lifecycle import LeadAlerts, end_when_quiet, expired, step, to_send
from models.outcomes import Outcome
from streams.runtime.policy_source import load_policy
from tests.alerts.outcomes import DEADLINE, HANDOFF, LATER, breach, escalation, minutes, outcome, warning
from tests.scenarios import at

POLICY = load_policy(None)  # the example policy: lead links https://crm.example.com/leads/{lead_id}


def run(outcomes: list[Outcome], policy=POLICY, now=LATER) -> tuple[LeadAlerts | None, list]:
    def apply(acc, o):
        state, changes = step(acc[0], o, policy, partition=3, now=now)
        return state, acc[1] + changes
    return reduce(apply, outcomes, (None, []))


def firing_names(state: LeadAlerts) -> list[str]:
    return [a.labels["alertname"] for a in state.firing()]


def test_warning_breach_and_each_escalation_fire_one_alert_each_with_routing_labels():
    state, changes = run([warning(), breach(), escalation(1), escalation(2, "head_of_sales")])
    assert [c.status for c in changes] == ["firing"] * 4
    assert firing_names(state) == ["LeadSLAWarning", "LeadSLABreached", "LeadSLAEscalated", "LeadSLAEscalated"]
    labels = [a.labels for a in state.alerts]
    assert [(l["severity"], l["escalation"], l["notify"]) for l in labels] == [
        ("warning", "0", "rep"), ("page", "0", "rep"), ("page", "1", "manager"), ("page", "2", "head_of_sales")]
    assert all(l["team"] == "enterprise" and l["segment"] == "enterprise-demo" and l["lead_id"] == "L-1"
               and l["owner_rep"] == "rep-ent-2" and l["cycle"] == "1" for l in labels)
    assert state.partition == 3


def test_the_breach_tells_a_person_what_happened_and_where_the_lead_is():
    state, _ = run([breach()])
    notes = state.alerts[0].annotations
    assert notes["summary"] == ("Lead L-1 (enterprise-demo, team enterprise, owner rep-ent-2) breached its "
                                "speed-to-lead SLA: no first contact by Mon 2026-03-02 10:15 EST.")
    assert (notes["handoff_at"], notes["deadline_at"]) == ("2026-03-02T15:00:00Z", "2026-03-02T15:15:00Z")
    assert notes["waited"] == "15m"
    assert notes["lead_url"] == "https://crm.example.com/leads/L-1"


def test_waited_says_business_time_and_wall_time_when_they_differ():
    overnight = outcome("escalated", 75, level=2, notify="head_of_sales").model_copy(
        update={"wall_seconds": 17 * 3600.0, "business_seconds": 75 * 60.0})
    state, _ = run([overnight])
    assert state.alerts[0].annotations["waited"] == "1h15m in business hours (17h on the wall clock)"
    assert "escalated to head_of_sales (level 2)" in state.alerts[0].annotations["summary"]


@pytest.mark.parametrize("ending", [outcome("contacted_late", 40), outcome("met", 14),
                                    outcome("returned", 40)], ids=lambda o: o.kind)
def test_the_outcome_that_ends_the_wait_resolves_every_alert_of_the_cycle(ending):
    state, changes = run([warning(), breach(), escalation(1), ending])
    assert state.firing() == []
    assert [c.status for c in changes[-3:]] == ["resolved"] * 3
    assert {a.ends_at for a in state.alerts} == {max(a.starts_at, ending.at) for a in state.alerts}


def test_a_reassignment_resolves_the_previous_owners_alerts_and_later_ones_name_the_new_owner():
    moved = outcome("reassigned", 20, owner="rep-ent-9", suffix="1")
    later = outcome("escalated", 30, owner="rep-ent-9", level=1, notify="manager")
    state, _ = run([warning(), breach(), moved, later])
    assert [(a.labels["alertname"], a.labels["owner_rep"]) for a in state.firing()] == [
        ("LeadSLAEscalated", "rep-ent-9")]


def test_a_reassignment_resolves_nothing_when_the_policy_says_so():
    keep = POLICY.model_copy(update={"alerts": POLICY.alerts.model_copy(update={"resolve_on_reassign": False})})
    state, _ = run([breach(), outcome("reassigned", 20, owner="rep-ent-9", suffix="1")], policy=keep)
    assert firing_names(state) == ["LeadSLABreached"]


def test_a_withdrawn_breach_resolves_its_alert_only():
    withdrawn = outcome("corrected", 15, corrects="L-1/1/breached", suffix="breached/corrected/1")
    state, changes = run([warning(), breach(), withdrawn])
    assert firing_names(state) == ["LeadSLAWarning"]
    assert changes[-1].status == "resolved" and changes[-1].alert.labels["alertname"] == "LeadSLABreached"


def test_the_same_outcome_twice_changes_nothing():
    once, _ = run([warning(), breach()])
    twice, changes = step(once, breach(), POLICY, partition=3, now=LATER)
    assert twice == once and changes == []


def test_a_redecided_outcome_with_another_owner_replaces_the_alert():
    state, changes = run([breach(), outcome("breached", 15, owner="rep-ent-7")])
    assert [(c.status, c.alert.labels["owner_rep"]) for c in changes] == [
        ("firing", "rep-ent-2"), ("resolved", "rep-ent-2"), ("firing", "rep-ent-7")]
    assert [a.labels["owner_rep"] for a in state.firing()] == ["rep-ent-7"]


@pytest.mark.parametrize("kind", ["opened", "met"])
def test_outcomes_that_raise_nothing_store_nothing(kind):
    assert run([outcome(kind, 5)]) == (None, [])


def test_protocol_times_never_lie_ahead_of_the_senders_wall_clock():
    """A simulated clock (the demo) may run ahead of real time; Alertmanager must not see the future."""
    now = at(12)
    state, _ = run([breach()], now=now)
    assert state.alerts[0].starts_at == now
    state, _ = step(state, outcome("contacted_late", 40), POLICY, partition=3, now=at(13))
    assert state.alerts[0].ends_at == at(13)


def test_resolved_alerts_are_sent_for_a_while_then_the_state_expires():
    state, _ = run([breach(), outcome("contacted_late", 40)], now=LATER)
    keep = POLICY.alerts.keep_resolved_for
    assert state.settled_at == LATER
    assert to_send(state, LATER + minutes(1), keep) == list(state.alerts)
    assert not expired(state, LATER + minutes(1), keep)
    assert to_send(state, LATER + keep, keep) == [] and expired(state, LATER + keep, keep)


def test_a_firing_alert_is_sent_and_kept_however_long_it_fires():
    state, _ = run([breach()])
    assert to_send(state, LATER + minutes(600), POLICY.alerts.keep_resolved_for) == list(state.alerts)
    assert not expired(state, LATER + minutes(600), POLICY.alerts.keep_resolved_for)
    assert state.alerts[0].starts_at == DEADLINE and HANDOFF < DEADLINE


def test_alerts_nobody_ended_resolve_once_the_lead_could_have_retired_then_the_state_expires():
    state, _ = run([breach(), escalation(1)])  # the rep never calls: no outcome will end the wait
    quiet, keep = POLICY.retire_after, POLICY.alerts.keep_resolved_for
    latest = max(a.starts_at for a in state.alerts)
    assert end_when_quiet(state, latest + quiet - minutes(1), quiet) == (state, [])
    ended, changes = end_when_quiet(state, latest + quiet, quiet)
    assert [(c.status, c.alert.labels["alertname"]) for c in changes] == [
        ("resolved", "LeadSLABreached"), ("resolved", "LeadSLAEscalated")]
    assert ended.firing() == [] and all(a.ends_at == latest + quiet for a in ended.alerts)
    assert to_send(ended, latest + quiet + minutes(1), keep) == list(ended.alerts)  # Alertmanager hears it
    assert expired(ended, latest + quiet + keep, keep)


def test_a_quiet_cycle_with_nothing_firing_is_left_alone():
    state, _ = run([breach(), outcome("contacted_late", 40)])
    assert end_when_quiet(state, LATER + POLICY.retire_after * 2, POLICY.retire_after) == (state, [])


def depth_breach(minutes_after: float = 14 * 24 * 60) -> Outcome:
    return outcome("depth_breached", minutes_after).model_copy(update={"attempts": 3})


def test_a_depth_breach_is_a_low_severity_notice_naming_the_rep_that_alertmanager_ends_by_itself():
    state, changes = run([outcome("met", 14), depth_breach()])
    assert [(c.status, c.alert.labels["alertname"]) for c in changes] == [("firing", "LeadDepthBreached")]
    notice = state.alerts[0]
    assert notice.labels == {"alertname": "LeadDepthBreached", "team": "enterprise", "segment": "enterprise-demo",
                             "severity": "ticket", "escalation": "0", "notify": "rep", "lead_id": "L-1",
                             "cycle": "1", "owner_rep": "rep-ent-2"}
    assert notice.annotations["summary"] == (
        "Lead L-1 (enterprise-demo, team enterprise, owner rep-ent-2) got 3 of the 8 agreed follow-up attempts"
        " in its follow-up period, which ended Mon 2026-03-16 11:00 EDT with no connect.")
    assert notice.ends_at == LATER + POLICY.alerts.depth_notice_for  # active in Alertmanager until then
    keep = POLICY.alerts.keep_resolved_for
    assert state.settled_at == LATER and to_send(state, LATER + minutes(1), keep) == [notice]
    assert expired(state, LATER + keep, keep)  # nothing stays in the table for a day


def test_a_depth_notice_re_sent_changes_nothing_and_a_return_ends_it_early():
    state, _ = run([depth_breach()])
    assert step(state, depth_breach(), POLICY, partition=3, now=LATER) == (state, [])
    state, changes = step(state, outcome("returned", 20 * 24 * 60), POLICY, partition=3, now=LATER + minutes(5))
    assert [(c.status, c.alert.ends_at) for c in changes] == [("resolved", LATER + minutes(5))]


def test_a_depth_notice_after_the_speed_alerts_settled_is_still_re_sent():
    state, _ = run([breach(), outcome("contacted_late", 40)], now=LATER)
    later = LATER + minutes(60)
    state, _ = step(state, depth_breach(), POLICY, partition=3, now=later)
    assert state.settled_at == later
    assert [a.labels["alertname"] for a in to_send(state, later + minutes(1), POLICY.alerts.keep_resolved_for)] == [
        "LeadSLABreached", "LeadDepthBreached"]
