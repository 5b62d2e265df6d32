"""The core under a policy history: each lead cycle judged by the version in force at its
handoff (models.policy_history), in one run, through the same Tracker the worker and the
offline commands use.

Two versions of the example policy: the mid-market target is 1h until Sun 1 Nov 2026 and
3h from Mon 2 Nov (local midnight in New York: 05:00 UTC, the day after the clocks went
back), and its follow-up period 10 business days, then 5.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from importlib.resources import files

import pytest

from models.events import Tick
from models.policy_file import parse_policy
from models.policy_history import PolicyHistory, PolicyVersion
from models.tracker import Tracker
from tests.pure.events import NEW_YORK, attempt, converted, handoff, reassign, utc

MID_MARKET = "match: {source: marketing, segment: mid-market}\n    speed_to_lead:\n      target: 1h"
MID_MARKET_DEPTH = "follow_up: {attempts: 6, within: 10d}"  # mid-market's is the first of these
TEAM = "inbound-east"  # on the us-east calendar: weekdays 09:00-17:00 New York


def variant(*replacements: tuple[str, str]):
    text = files("models").joinpath("example_policy.yaml").read_text()
    for old, new in replacements:
        assert old in text, f"test setup: {old!r} is not in the example policy"
        text = text.replace(old, new, 1)
    return parse_policy(text, "variant.yaml")


OLD = variant()
NEW = variant((MID_MARKET, MID_MARKET.replace("1h", "3h")),
              (MID_MARKET_DEPTH, MID_MARKET_DEPTH.replace("10d", "5d")))
RESTARTING = "reassignment: restart_clock"


def history(old=OLD, new=NEW) -> PolicyHistory:
    return PolicyHistory((PolicyVersion("2026-01-01.yaml", date(2026, 1, 1), old),
                          PolicyVersion("2026-11-02.yaml", date(2026, 11, 2), new)))


def ny(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


def lead(name: str, handed_off: datetime, *rest) -> list:
    return [converted(handed_off, name, segment="mid-market", offer=None),
            handoff(handed_off, name, team=TEAM), *rest]


def replay(policies, events) -> dict[str, object]:
    """In event-time order, then time past everything, as ``leadsla evaluate`` replays a file."""
    tracker, out = Tracker(policies, {}, {}), []
    for event in sorted(events, key=lambda e: e.occurred_at):
        out += tracker.pass_time(0, event.occurred_at)
        out += tracker.on_entry(0, event).outcomes
    out += tracker.on_entry(0, Tick(schema_version=1, at=ny(12, 31, 0), partition=0)).outcomes
    return {o.outcome_id: o for o in out}


def test_a_cycle_is_judged_by_the_version_in_force_at_its_handoff_across_a_dst_change():
    # Sun 1 Nov 23:30 EST is 04:30 UTC on the 2nd: after midnight had the zone still been on EDT.
    events = lead("before", ny(11, 1, 23, 30), attempt(ny(11, 2, 11), "before", outcome="connected"))
    events += lead("after", ny(11, 2, 0, 30), attempt(ny(11, 2, 11), "after", outcome="connected"))
    found = replay(history().policies, events)
    assert found["before/1/breached"].deadline_at == utc(ny(11, 2, 10))  # 1h of business time from 09:00
    assert "before/1/contacted_late" in found and "before/1/met" not in found
    assert found["after/1/met"].deadline_at == utc(ny(11, 2, 12))  # 3h
    assert "after/1/breached" not in found


def test_the_follow_up_period_is_the_handoff_versions_also_for_attempts_already_summarised():
    """Whole days count business days, the handoff's the first: 10 from Fri 30 Oct end on Thu 12 Nov
    at 17:00, 5 from Mon 2 Nov on Fri 6 Nov. The attempt on the 9th lies inside the old version's
    period (a 5-day one from 30 Oct would end on the 5th), the one on the 10th outside the new's."""
    days = [(10, 30, 11), (11, 2, 10), (11, 3, 10), (11, 4, 10), (11, 9, 10)]
    events = lead("before", ny(10, 30, 10), *(attempt(ny(m, d, h), "before") for m, d, h in days))
    later = [(11, 2, 11), (11, 3, 10), (11, 4, 10), (11, 5, 10), (11, 10, 10)]
    events += lead("after", ny(11, 2, 10), *(attempt(ny(m, d, h), "after") for m, d, h in later))
    found = replay(history().policies, events)
    before, after = found["before/1/depth_breached"], found["after/1/depth_breached"]
    assert (before.at, before.attempts) == (utc(ny(11, 12, 17)), 5)
    assert (after.at, after.attempts) == (utc(ny(11, 6, 17)), 4)


def test_under_restart_clock_a_restarted_clock_keeps_the_version_of_the_handoff():
    """Handed off Sunday night under the 1h version, reassigned Monday 09:30 (after the new
    version's date, before the 10:00 deadline): the clock restarts at 09:30 under the old
    version's rules, so the 11:00 call is late (deadline 10:30), not met under the new 3h."""
    policies = history(variant((RESTARTING.replace("restart", "keep"), RESTARTING)),
                       variant((RESTARTING.replace("restart", "keep"), RESTARTING),
                               (MID_MARKET, MID_MARKET.replace("1h", "3h")))).policies
    events = lead("edge", ny(11, 1, 23, 30), reassign(ny(11, 2, 9, 30), "rep-b", "edge", team=TEAM),
                  attempt(ny(11, 2, 11), "edge", rep="rep-b", outcome="connected"))
    found = replay(policies, events)
    breach = found["edge/1/breached"]
    assert (breach.handoff_at, breach.deadline_at) == (utc(ny(11, 2, 9, 30)), utc(ny(11, 2, 10, 30)))
    assert "edge/1/contacted_late" in found and "edge/1/met" not in found


def test_the_reassignment_rule_is_the_handoff_versions():
    """keep_clock until 1 Nov, restart_clock from 2 Nov: the same reassignment an hour after a
    handoff keeps the clock of a lead handed off before the date and restarts the other's."""
    policies = history(OLD, variant((RESTARTING.replace("restart", "keep"), RESTARTING))).policies
    events = lead("kept", ny(10, 30, 16, 30), reassign(ny(11, 2, 9, 15), "rep-b", "kept", team=TEAM))
    events += lead("restarted", ny(11, 2, 9, 0), reassign(ny(11, 2, 9, 15), "rep-b", "restarted", team=TEAM))
    found = replay(policies, events)
    assert found["kept/1/breached"].deadline_at == utc(ny(11, 2, 9, 30))  # 30m Friday + 30m Monday
    assert found["restarted/1/breached"].handoff_at == utc(ny(11, 2, 9, 15))


def test_settings_that_are_not_per_cycle_are_the_largest_of_the_versions():
    slow = variant(("allowed_lateness: 5s", "allowed_lateness: 1m\nretire_after: 40d"))  # the example: 5s, 35d
    both = history(slow, OLD)
    assert (both.allowed_lateness, both.retire_after) == (timedelta(minutes=1), timedelta(days=40))
    tracker = Tracker(both.policies, {}, {})
    tracker.on_entry(0, Tick(schema_version=1, at=ny(11, 2, 12), partition=0))
    assert tracker.watermark(0) == ny(11, 2, 11, 59)
    # A lead of the new version (retire_after 35d by itself) retires on the history's 40 days.
    found = replay(both.policies, lead("quiet", ny(11, 2, 10), attempt(ny(11, 2, 10, 5), "quiet", outcome="connected")))
    assert set(found) == {"quiet/1/opened", "quiet/1/met"}
    tracker = Tracker(both.policies, {}, {})
    for event in lead("quiet", ny(11, 2, 10), attempt(ny(11, 2, 10, 5), "quiet", outcome="connected")):
        tracker.on_entry(0, event)
    tracker.on_entry(0, Tick(schema_version=1, at=ny(11, 3, 0), partition=0))
    assert tracker.leads["quiet"].next_due == ny(11, 2, 10, 5) + timedelta(days=40)


def test_a_single_policy_is_its_own_only_version():
    assert OLD.at(ny(11, 2, 0)) is OLD
    assert PolicyHistory.single(OLD, "policy.yaml").policies is OLD  # no lookup per cycle
    assert history().policies.at(utc(ny(11, 1, 23, 59))) is OLD
    assert history().policies.at(utc(ny(11, 2, 0))) is NEW


# --- against the full-history fold: each cycle resolved under its handoff's version --------------

ENTERPRISE_DEMO = "target: 15m\n      clock: business\n      warn_before: 5m"


def reference_under(history_: PolicyHistory, lead_id: str, events) -> list:
    """The oracle (tests.pure.reference_fold) with each of its cycles resolved by the version in
    force at the cycle's handoff: what the per-version replays kept, written independently."""
    from tests.pure import reference_fold as ref

    unique = list({e.event_id: e for e in reversed(list(events))}.values())
    found = []
    for cycle in ref.fold(sorted(unique, key=ref.event_order)).cycles:
        facts = ref.resolve_facts(lead_id, cycle, history_.at(cycle.handoff_at))
        if facts is not None:
            found += ref.candidates(facts)
    return found


@pytest.mark.parametrize("reassignment", ["keep_clock", "restart_clock"])
@pytest.mark.parametrize("seed", range(4))
def test_random_leads_across_a_version_date_decide_as_the_full_history_fold(seed, reassignment):
    import random

    from tests.pure.test_incremental_state import (arrival_order, assert_reannounced_only_after_a_correction,
                                                   random_lead, run_live, standing)

    rule = (RESTARTING.replace("restart", "keep"), f"reassignment: {reassignment}")
    changed = [(MID_MARKET, MID_MARKET.replace("1h", "3h")), (MID_MARKET_DEPTH, MID_MARKET_DEPTH.replace("10d", "5d")),
               (ENTERPRISE_DEMO, ENTERPRISE_DEMO.replace("15m", "45m")),
               ("automated_touches_count: false", "automated_touches_count: true")]
    both = history(variant(rule), variant(rule, *changed))
    rng = random.Random(seed)
    leads = {f"lead-{n}": random_lead(rng, f"lead-{n}", ny(10, 31, 12) + timedelta(minutes=90 * n), rng.randint(0, 40))
             for n in range(40)}  # handed off from Sat 31 Oct to Mon 2 Nov, the new version's first day
    everything = arrival_order(rng, [e for events in leads.values() for e in events], jitter_s=4)
    live, _ = run_live(everything, both.policies)
    expected = {o.outcome_id: o for lead_id, events in leads.items() for o in reference_under(both, lead_id, events)}
    assert standing(live) == expected
    assert_reannounced_only_after_a_correction(live)
    judged = {both.index_at(o.handoff_at) for o in expected.values()}
    assert judged == {0, 1}, "test setup: both versions must judge some lead"
