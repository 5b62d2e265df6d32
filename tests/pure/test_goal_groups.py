"""Goal groups in the policy: which marketing leads each counts, and groups that could count nothing refused."""

from __future__ import annotations

import pytest

from models.goal import goal_groups, goal_leads, group_quota, monthly_goal, selects, total_quota
from models.policy import FixedInputs
from models.policy_file import PolicyError, parse_policy
from tests.pure.events import example_policy

# Line numbers matter: they are written next to the lines.
POLICY = """\
version: 1
default_calendar: office
calendars:
  office:
    timezone: Europe/Paris
    hours:
      mon: ["09:00-17:00"]
segments:
  - name: demos
    match: {source: marketing, segment: enterprise, offer: [demo-request, contact-sales]}
    speed_to_lead: {target: 15m}
  - name: reps-own
    match: {source: sales}
    speed_to_lead: {target: 8h}
  - name: rest
    speed_to_lead: {target: 4h}
goals:
  monthly_quota: 5000
  known_values: {quality: [hot, cold], segment: [smb]}
  # values leads carry that no segment matches on
  groups:
    - name: demos
      select: {policy_segment: demos}
    - name: hot
      select:
        quality: hot
      mode: value
      lead_value: 100
"""  # lines 1..29


def lead(**attributes: str) -> dict[str, str | None]:
    return {"source": "marketing", "segment": "smb", "offer": None, "persona": None, "quality": None} | attributes


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, source="p.yaml")
    return list(caught.value.problems)


def variant(old: str, new: str) -> str:
    assert old in POLICY, f"test setup: {old!r} is not in the policy"
    return POLICY.replace(old, new, 1)


# --- which leads a group counts ------------------------------------------------------------------


def test_a_group_on_a_policy_segment_counts_the_leads_that_segment_gets():
    policy = parse_policy(POLICY)
    demos = policy.goals.groups[0]
    assert selects(policy, demos, lead(segment="enterprise", offer="contact-sales"))
    assert not selects(policy, demos, lead(segment="enterprise", offer="ebook"))  # falls in 'rest'
    assert not selects(policy, demos, lead(segment="enterprise", offer="demo-request", source="sales"))


def test_a_group_on_attributes_counts_marketing_leads_only():
    policy = parse_policy(POLICY)
    hot = policy.goals.groups[1]
    assert selects(policy, hot, lead(quality="hot"))
    assert not selects(policy, hot, lead(quality="cold"))
    assert not selects(policy, hot, lead(quality=None))
    assert not selects(policy, hot, lead(quality="hot", source="sales"))


def test_a_group_without_selection_counts_every_marketing_lead():
    policy = parse_policy(variant("      select: {policy_segment: demos}\n", ""))
    everyone = policy.goals.groups[0]
    assert selects(policy, everyone, lead()) and selects(policy, everyone, lead(segment="anything"))
    assert not selects(policy, everyone, lead(source="sales"))


def test_groups_learn_from_the_closed_loop_unless_inputs_are_typed():
    groups = parse_policy(POLICY).goals.groups
    assert [(g.name, g.inputs, g.mode, g.lead_value) for g in groups] == [
        ("demos", "closed_loop", "count", None), ("hot", "closed_loop", "value", 100.0)]
    typed = parse_policy(variant("      select: {policy_segment: demos}\n", "      select: {policy_segment: demos}\n"
                                 "      inputs: {marketing_share: 0.5, average_deal_size: 100, close_rate: 0.5}\n"))
    assert typed.goals.groups[0].inputs == FixedInputs(marketing_share=0.5, average_deal_size=100, close_rate=0.5)
    assert typed.goals.closed_loop.window_months == 6 and typed.goals.closed_loop.sales_cycle_months == 3


def test_the_methods_example_quota_5000_deals_of_100_half_closing_is_100_leads():
    assert goal_leads(5000, 1.0, 100, 0.5) == pytest.approx(100)
    assert goal_leads(5000, 1.0, 100, 0) is None  # nothing closes: no finite goal
    assert goal_leads(5000, None, 100, 0.5) is None


def test_the_shipped_policy_has_closed_loop_and_typed_groups():
    policy = example_policy()
    groups = {g.name: g for g in goal_groups(policy)}
    assert list(groups) == ["enterprise-demos", "enterprise-content", "mid-market", "smb"]
    assert groups["enterprise-demos"].mode == "value" and groups["mid-market"].inputs == "closed_loop"
    assert group_quota(policy, groups["smb"]) == 600_000 and group_quota(policy, groups["mid-market"]) == 4_100_000
    assert selects(policy, groups["enterprise-demos"], lead(segment="enterprise", offer="demo-request"))
    assert selects(policy, groups["enterprise-content"], lead(segment="enterprise", offer="whitepaper"))


LEGACY = POLICY.split("goals:\n")[0] + """marketing_goals:
  - {segment: enterprise, monthly_quota: 2000, marketing_share: 0.5, average_deal_size: 100, close_rate: 0.5}
  - {segment: demos, monthly_quota: 3000, marketing_share: 1, average_deal_size: 100, close_rate: 0.5}
"""  # lines 17..19


def test_a_policy_with_only_marketing_goals_keeps_them_as_typed_groups():
    policy = parse_policy(LEGACY)
    groups = goal_groups(policy)
    assert [g.name for g in groups] == ["enterprise", "demos"]
    assert total_quota(policy) == 5000
    assert selects(policy, groups[0], lead(segment="enterprise")) and not selects(policy, groups[0], lead())
    fixed = groups[1].inputs
    assert goal_leads(group_quota(policy, groups[1]), fixed.marketing_share, fixed.average_deal_size,
                      fixed.close_rate) == pytest.approx(monthly_goal(policy.marketing_goals[1])) == 60


def test_a_marketing_goal_named_after_a_policy_segment_counts_the_leads_that_segment_gets():
    """No lead carries `segment: demos` (no segment matches on it): the goal counts the segment's leads."""
    policy = parse_policy(LEGACY)
    demos = goal_groups(policy)[1]
    assert selects(policy, demos, lead(segment="enterprise", offer="demo-request"))
    assert not selects(policy, demos, lead(segment="enterprise", offer="ebook"))  # falls in 'rest'
    assert not selects(policy, demos, lead(segment="demos"))


@pytest.mark.parametrize("segment, problem", [
    ("demo-request", "p.yaml:19: marketing_goals[1].segment: no lead can be counted: 'demo-request' is neither a "
                     "segment of this policy (known: demos, reps-own, rest) nor a value of the lead attribute "
                     "segment a segment matches on (known: enterprise); a goal for leads of another segment value "
                     "needs a goals section, with the value in goals.known_values.segment"),
    ("reps-own", "p.yaml:19: marketing_goals[1].segment: segment 'reps-own' matches only source sales: it holds "
                 "no marketing lead, and goals count marketing leads"),
], ids=["unknown", "sales-only"])
def test_a_marketing_goal_that_would_count_nothing_is_refused_naming_the_line(segment, problem):
    assert problems(LEGACY.replace("{segment: demos,", f"{{segment: {segment},")) == [problem]


# --- groups that could count nothing -------------------------------------------------------------


def test_a_value_of_another_attribute_is_refused_naming_the_line():
    text = variant("      select: {policy_segment: demos}", "      select: {segment: demo-request}")
    assert problems(text) == [
        "p.yaml:23: goals.groups[0].select.segment: no lead can be selected: 'demo-request' is not a segment "
        "this policy knows (known: enterprise, smb; it is known as an offer); a value leads carry that no segment "
        "matches on goes in goals.known_values.segment"]


def test_a_typo_in_a_list_names_the_items_line():
    text = variant("        quality: hot", "        quality:\n          - hot\n          - hott")
    assert problems(text)[0].startswith("p.yaml:28: goals.groups[1].select.quality[1]: no lead can be selected: "
                                        "'hott' is not a quality this policy knows (known: cold, hot)")


def test_values_declared_in_known_values_may_be_selected():
    assert "no lead can be selected: 'cfo'" in problems(variant("        quality: hot", "        persona: cfo"))[0]
    text = variant("segment: [smb]}", "segment: [smb], persona: [cfo]}")
    assert parse_policy(text.replace("        quality: hot", "        persona: cfo")).goals.groups[1].select == {
        "persona": "cfo"}


@pytest.mark.parametrize("select, problem", [
    ("{policy_segment: demo}", "p.yaml:23: goals.groups[0].select.policy_segment: unknown segment 'demo' "
                               "(known: demos, reps-own, rest)"),
    ("{policy_segment: reps-own}", "p.yaml:23: goals.groups[0].select.policy_segment: segment 'reps-own' "
                                   "matches only source sales: it holds no marketing lead, and goals count "
                                   "marketing leads"),
    ("{policy_segment: demos, segment: smb}", "p.yaml:23: goals.groups[0].select.policy_segment: no lead can be "
                                              "selected: segment 'demos' matches segment enterprise, and this "
                                              "group selects smb"),
    ("{source: marketing}", "p.yaml:23: goals.groups[0].select.source: Input should be 'segment', 'offer', "
                            "'quality', 'persona' or 'policy_segment'"),
    ("{segment: []}", "p.yaml:23: goals.groups[0].select.segment: no lead can be selected: an empty list matches "
                      "no value; leave segment out to select any"),
], ids=["unknown-segment", "sales-only-segment", "disjoint", "source", "empty-list"])
def test_a_selection_that_cannot_match_a_marketing_lead_is_refused(select, problem):
    assert problems(variant("{policy_segment: demos}", select)) == [problem]


@pytest.mark.parametrize("old, new, problem", [
    ("name: hot", "name: demos", "p.yaml:24: goals.groups[1].name: duplicate goal group name 'demos'"),
    ("  monthly_quota: 5000", "  monthly_quota: 5000\n  closed_loop: {window_months: 13}",
     "p.yaml:19: goals.closed_loop.window_months: Input should be less than or equal to 12"),
    ("  monthly_quota: 5000", "  monthly_quota: 5000\n  closed_loop: {window_months: 5}",
     "p.yaml:19: goals.closed_loop.window_months: Input should be greater than or equal to 6"),
    ("  monthly_quota: 5000\n", "", "p.yaml:17: goals.monthly_quota: Field required"),
    ("mode: value", "mode: money", "p.yaml:27: goals.groups[1].mode: Input should be 'count' or 'value'"),
    ("lead_value: 100", "lead_value: -5", "p.yaml:28: goals.groups[1].lead_value: Input should be greater than 0"),
    ("name: hot", "name: total", "p.yaml:24: goals.groups[1].name: 'total' is reserved: it names every marketing "
                                 "lead in `leadsla goals`, the reports and the metrics; give the group another name"),
], ids=["duplicate", "reserved-total", "window-long", "window-short", "no-quota", "mode", "lead-value"])
def test_goal_settings_out_of_range_are_refused(old, new, problem):
    assert problems(variant(old, new)) == [problem]


def test_typed_inputs_out_of_range_are_refused_naming_the_field():
    text = variant("      select: {policy_segment: demos}\n", "      select: {policy_segment: demos}\n"
                   "      inputs: {marketing_share: 2, average_deal_size: 100}\n")
    assert problems(text) == [
        "p.yaml:24: goals.groups[0].inputs.marketing_share: Input should be less than or equal to 1",
        "p.yaml:24: goals.groups[0].inputs.close_rate: Field required"]


@pytest.mark.parametrize("second, problem", [
    ("enterprise", "p.yaml:19: marketing_goals[1].segment: a second goal for segment 'enterprise': each segment "
                   "has one goal"),
    ("total", "p.yaml:19: marketing_goals[1].segment: 'total' is reserved: it names every marketing lead in "
              "`leadsla goals`, the reports and the metrics; a goal for such a segment needs a goals section, "
              "with a group of another name"),
], ids=["duplicate", "reserved-total"])
def test_marketing_goals_that_would_share_a_group_name_are_refused(second, problem):
    """Each entry is a group named by its segment: two of one name would count its leads twice live."""
    text = POLICY.split("goals:\n")[0] + f"""marketing_goals:
  - {{segment: enterprise, monthly_quota: 2000, marketing_share: 0.5, average_deal_size: 100, close_rate: 0.5}}
  - {{segment: {second}, monthly_quota: 3000, marketing_share: 1, average_deal_size: 100, close_rate: 0.5}}
"""
    assert problems(text) == [problem]
