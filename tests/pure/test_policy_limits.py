"""Policy files within sane limits: every refusal names the file, the line and the limit,
and a YAML alias bomb is refused before it is expanded (in milliseconds, not gigabytes)."""

from __future__ import annotations

import pytest

from models.policy import MAX_ESCALATIONS
from models.policy_file import PolicyError, parse_policy
from tests.pure.test_policy import BASE, problems, variant  # BASE: lines 1..11, target on line 11


def escalations(count: int) -> str:
    items = "".join(f"        - {{after: {minute}m, notify: manager}}\n" for minute in range(1, count + 1))
    return BASE + "      escalations:\n" + items  # "escalations:" on line 12


def billion_laughs(levels: int = 9) -> str:
    lines = ["version: 1", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


def test_up_to_ten_escalation_levels_are_accepted():
    policy = parse_policy(escalations(MAX_ESCALATIONS))
    assert len(policy.segments[0].speed_to_lead.escalations) == MAX_ESCALATIONS == 10


@pytest.mark.parametrize("count", [11, 2_000])  # the file had 20,000 (slow to parse, refused alike)
def test_more_escalation_levels_are_refused_naming_the_line(count):
    assert problems(escalations(count)) == [
        "p.yaml:12: segments[0].speed_to_lead.escalations: Tuple should have at most 10 items after "
        f"validation, not {count}"]


@pytest.mark.parametrize("target, message", [
    ("3651d", "duration '3651d' is too long: at most 3650d"),
    ("9" * 5000 + "d", f"duration '{'9' * 5000}d' is too long: at most 3650d"),
], ids=["over-ten-years", "5000-digits"])
def test_durations_are_bounded(target, message):
    assert problems(variant("target: 1h", f"target: {target}")) == [
        f"p.yaml:11: segments[0].speed_to_lead.target: {message}"]


def test_an_infinite_number_is_refused():
    text = BASE + ("marketing_goals:\n  - {segment: all, monthly_quota: .inf, marketing_share: 0.5,"
                   " average_deal_size: 10, close_rate: 0.1}\n")
    assert problems(text) == ["p.yaml:13: marketing_goals[0].monthly_quota: Input should be a finite number"]


def test_names_and_lists_are_bounded():
    too_long = "x" * 65
    assert problems(variant("name: all", f"name: {too_long}")) == [
        "p.yaml:9: segments[0].name: String should have at most 64 characters"]
    many = ", ".join(f"s{n}" for n in range(101))
    assert problems(variant("name: all", f"name: all\n    match: {{segment: [{many}]}}")) == [
        "p.yaml:10: segments[0].match.segment: Input should be a valid string or List should have at most "
        "100 items after validation, not 101"]


def test_a_yaml_alias_bomb_is_refused_before_expansion_naming_the_line():
    # 10^9 "lol"s once expanded, 1.2 * 10^10 values in all: far more memory than any machine has.
    assert problems(billion_laughs()) == [
        "p.yaml:10: YAML aliases repeat the value that starts here until the document would hold "
        "12,345,679,023 values (at most 100,000); write the values out or use fewer aliases"]


def test_a_merge_key_bomb_is_refused_too():
    lines = ["version: 1", "m0: &m0 {k: v}"]
    lines += [f"m{n}: &m{n} {{<<: [{', '.join([f'*m{n - 1}'] * 10)}]}}" for n in range(1, 10)]
    found = problems("\n".join(lines) + "\n")
    assert len(found) == 1 and found[0].startswith("p.yaml:10: YAML aliases repeat the value")


def test_an_alias_inside_its_own_anchor_is_refused():
    assert problems("version: 1\nloop: &loop [1, *loop]\n") == [
        "p.yaml:2: a YAML alias refers to the value that contains it: it would repeat without end"]


def test_anchors_and_aliases_within_the_budget_still_work():
    shared = variant('      mon: ["09:00-17:00"]', '      mon: &day ["09:00-17:00"]\n      tue: *day')
    assert parse_policy(shared).calendars["office"].hours["tue"] == ("09:00-17:00",)


def test_nesting_too_deep_for_the_parser_is_a_message_not_a_crash():
    assert problems("version: 1\nx: " + "[" * 1000 + "]" * 1000 + "\n") == [
        "p.yaml:1: not valid YAML: nested too deeply"]


def test_an_oversized_file_is_refused_before_parsing():
    text = BASE + "#" * 1_000_000
    with pytest.raises(PolicyError) as caught:
        parse_policy(text, "big.yaml")
    assert caught.value.problems == (
        f"big.yaml:1: the file holds {len(text):,} characters; a policy is at most 1,000,000",)
