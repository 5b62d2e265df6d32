"""What makes a goal group valid: it must be able to select a lead the policy knows of.

A group selects marketing leads on their own attributes (segment, offer, quality,
persona) or on the segment the policy's ``segments`` place them in. A value nothing in
the policy mentions is almost always a typo or a value of another attribute (a goal for
``segment: demo-request`` would count 0 leads month after month, silently), so it is an
error that names the group's line. Values leads carry that no segment matches on are
declared in ``goals.known_values``.

Pure; imports nothing of the policy at run time (``models.policy`` calls in here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.policy import GoalGroup, Policy, Segment

GROUP_ATTRIBUTES = ("segment", "offer", "quality", "persona")
POLICY_SEGMENT = "policy_segment"
MARKETING = "marketing"
RESERVED_NAME = "total"  # every marketing lead: the goal report's `total` and the metrics' group="total"


def known_values(policy: "Policy") -> dict[str, frozenset[str]]:
    """Each attribute's values the policy mentions: in segment matches, legacy goals, known_values."""
    known: dict[str, set[str]] = {name: set() for name in GROUP_ATTRIBUTES}
    for segment in policy.segments:
        for name in GROUP_ATTRIBUTES:
            known[name].update(_values(segment.match.get(name)))
    known["segment"].update(goal.segment for goal in policy.marketing_goals)
    for name, values in (policy.goals.known_values if policy.goals else {}).items():
        known[name].update(values)
    return {name: frozenset(values) for name, values in known.items()}


def check_goal_groups(policy: "Policy") -> None:
    """Raise ValueError("goals.groups[i]...: why") for the first group that cannot work."""
    known = known_values(policy)
    segments = {segment.name: segment for segment in policy.segments}
    seen: set[str] = set()
    for index, group in enumerate(policy.goals.groups):
        where = f"goals.groups[{index}]"
        if group.name in seen:
            raise ValueError(f"{where}.name: duplicate goal group name {group.name!r}")
        if group.name == RESERVED_NAME:
            raise ValueError(f"{where}.name: {RESERVED_NAME!r} is reserved: it names every marketing lead in "
                             "`leadsla goals`, the reports and the metrics; give the group another name")
        seen.add(group.name)
        for name, value in group.select.items():
            if isinstance(value, list) and not value:
                raise ValueError(f"{where}.select.{name}: no lead can be selected: an empty list matches no "
                                 f"value; leave {name} out to select any")
        for name in GROUP_ATTRIBUTES:
            _check_known(where, group, name, known)
        for position, name in enumerate(group.wanted(POLICY_SEGMENT)):
            _check_policy_segment(_at(where, group, POLICY_SEGMENT, position), group, segments.get(name), name,
                                  sorted(segments))


def check_legacy_goals(policy: "Policy") -> None:
    """Without a ``goals`` section each ``marketing_goals`` entry is a group named by its segment:
    raise ValueError for a name the groups cannot share (a duplicate, the reserved ``total``)."""
    seen: set[str] = set()
    for index, goal in enumerate(policy.marketing_goals):
        where = f"marketing_goals[{index}].segment"
        if goal.segment in seen:
            raise ValueError(f"{where}: a second goal for segment {goal.segment!r}: each segment has one goal")
        if goal.segment == RESERVED_NAME:
            raise ValueError(f"{where}: {RESERVED_NAME!r} is reserved: it names every marketing lead in "
                             "`leadsla goals`, the reports and the metrics; a goal for such a segment needs a "
                             "goals section, with a group of another name")
        seen.add(goal.segment)


def _check_known(where: str, group: "GoalGroup", name: str, known: dict[str, frozenset[str]]) -> None:
    for position, value in enumerate(group.wanted(name)):
        if value in known[name]:
            continue
        elsewhere = [other for other in GROUP_ATTRIBUTES if value in known[other]]
        hint = f"; it is known as {_a(elsewhere[0])}" if elsewhere else ""
        raise ValueError(
            f"{_at(where, group, name, position)}: no lead can be selected: {value!r} is not {_a(name)} this "
            f"policy knows (known: {', '.join(sorted(known[name])) or 'none'}{hint}); a value leads carry "
            f"that no segment matches on goes in goals.known_values.{name}")


def _check_policy_segment(where: str, group: "GoalGroup", segment: "Segment | None", name: str,
                          names: list[str]) -> None:
    if segment is None:
        raise ValueError(f"{where}: unknown segment {name!r} (known: {', '.join(names)})")
    sources = _values(segment.match.get("source"))
    if sources and MARKETING not in sources:
        raise ValueError(f"{where}: segment {name!r} matches only source {', '.join(sources)}: "
                         "it holds no marketing lead, and goals count marketing leads")
    for attribute in GROUP_ATTRIBUTES:
        mine, theirs = set(group.wanted(attribute)), set(_values(segment.match.get(attribute)))
        if mine and theirs and not mine & theirs:
            raise ValueError(f"{where}: no lead can be selected: segment {name!r} matches {attribute} "
                             f"{', '.join(sorted(theirs))}, and this group selects {', '.join(sorted(mine))}")


def _at(where: str, group: "GoalGroup", name: str, position: int) -> str:
    """The path of one selected value: the list item when the selection is a list, so its line is named."""
    return f"{where}.select.{name}" + (f"[{position}]" if isinstance(group.select[name], list) else "")


def _values(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _a(attribute: str) -> str:
    return f"an {attribute}" if attribute[0] in "aeiou" else f"a {attribute}"
