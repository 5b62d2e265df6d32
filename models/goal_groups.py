"""What makes a goal group valid: it must be able to select a lead the policy knows of.

A group selects marketing leads on their own attributes (segment, offer, quality,
persona) or on the segment the policy's ``segments`` place them in. A value nothing in
the policy mentions is almost always a typo or a value of another attribute (a goal for
``segment: demo-request`` would count 0 leads month after month, silently), so it is an
error that names the group's line. Values leads carry that no segment matches on are
declared in ``goals.known_values``. A value-mode group's ``lead_values`` table must price
leads of types the policy knows and the group selects, and every lead the group can select
(a type it does not list is worth the group's ``lead_value``; without one, the table must list
every value the group selects). The older ``marketing_goals`` are held to the same rule: each
names a value of the lead attribute ``segment`` the policy knows, or one of its segments.

Pure; imports nothing of the policy at run time (``models.policy`` calls in here).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from models.policy import GoalGroup, Policy, Segment

GROUP_ATTRIBUTES = ("segment", "offer", "quality", "persona")
POLICY_SEGMENT = "policy_segment"
MARKETING = "marketing"
_PATH_KEY = re.compile(r"[\w-]+")  # a key models.policy_file can place on its line
RESERVED_NAME = "total"  # every marketing lead: the goal report's `total` and the metrics' group="total"


def known_values(policy: "Policy") -> dict[str, frozenset[str]]:
    """Each attribute's values the policy mentions: in segment matches and in goals.known_values."""
    known: dict[str, set[str]] = {name: set() for name in GROUP_ATTRIBUTES}
    for segment in policy.segments:
        for name in GROUP_ATTRIBUTES:
            known[name].update(_values(segment.match.get(name)))
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
        _check_lead_values(f"{where}.lead_values", group, known)


def check_legacy_goals(policy: "Policy") -> None:
    """Without a ``goals`` section each ``marketing_goals`` entry is a group named by its segment:
    raise ValueError for a name the groups cannot share (a duplicate, the reserved ``total``), or
    one that would count nothing (neither a segment value the policy knows nor one of its segments)."""
    seen: set[str] = set()
    known = known_values(policy)["segment"]
    segments = {segment.name: segment for segment in policy.segments}
    for index, goal in enumerate(policy.marketing_goals):
        where = f"marketing_goals[{index}].segment"
        if goal.segment in seen:
            raise ValueError(f"{where}: a second goal for segment {goal.segment!r}: each segment has one goal")
        if goal.segment == RESERVED_NAME:
            raise ValueError(f"{where}: {RESERVED_NAME!r} is reserved: it names every marketing lead in "
                             "`leadsla goals`, the reports and the metrics; a goal for such a segment needs a "
                             "goals section, with a group of another name")
        seen.add(goal.segment)
        if goal.segment not in known:
            _check_legacy_segment(where, goal.segment, segments.get(goal.segment), known, sorted(segments))


def legacy_selection(policy: "Policy", segment: str) -> dict[str, str]:
    """What a ``marketing_goals`` entry selects: leads whose own ``segment`` is its segment, or, when
    no lead can carry that value, the leads the policy's segment of that name holds."""
    return {"segment": segment} if segment in known_values(policy)["segment"] else {POLICY_SEGMENT: segment}


def _check_legacy_segment(where: str, name: str, segment: "Segment | None", known: frozenset[str],
                          names: list[str]) -> None:
    if segment is None:
        raise ValueError(
            f"{where}: no lead can be counted: {name!r} is neither a segment of this policy (known: "
            f"{', '.join(names)}) nor a value of the lead attribute segment a segment matches on (known: "
            f"{', '.join(sorted(known)) or 'none'}); a goal for leads of another segment value needs a goals "
            "section, with the value in goals.known_values.segment")
    _check_holds_marketing(where, segment, name)


def _check_lead_values(where: str, group: "GoalGroup", known: dict[str, frozenset[str]]) -> None:
    """A value table: in value mode, one attribute, values the policy knows and the group selects,
    and a value for every lead the group can select (the table's, or the group's lead_value)."""
    if group.lead_values is None:
        return
    if group.mode != "value":
        raise ValueError(f"{where}: values per type of lead are for a group in value mode; this group counts "
                         "leads (mode: count): add mode: value, or leave lead_values out")
    if len(group.lead_values) != 1:
        raise ValueError(f"{where}: one attribute gives a lead its type, here {len(group.lead_values)} do "
                         f"({', '.join(group.lead_values)}): keep one")
    (name, values), = group.lead_values.items()
    if not values:
        raise ValueError(f"{where}.{name}: no value is listed: list what each {name} is worth, or leave "
                         "lead_values out")
    for value in values:
        _check_priced(_entry(where, name, value), group, name, value, known)
    if group.lead_value is not None:
        return
    missing = sorted(set(group.wanted(name)) - set(values))
    if missing:
        raise ValueError(f"{where}.{name}: a lead of this group with {name} {', '.join(missing)} would have no "
                         "value: list it, or set the group's lead_value (what a lead of a type the table does "
                         "not list is worth)")
    if not group.wanted(name):
        raise ValueError(f"{where}.{name}: a lead of this group with {_a(name)} the table does not list would "
                         f"have no value (the group selects any {name}): set the group's lead_value (what such "
                         f"a lead is worth), or select only the values of {name} it lists")


def _check_priced(where: str, group: "GoalGroup", name: str, value: str, known: dict[str, frozenset[str]]) -> None:
    if value not in known[name]:
        raise ValueError(f"{where}: no lead can have it: {value!r} is not {_a(name)} this policy knows (known: "
                         f"{', '.join(sorted(known[name])) or 'none'}); a value leads carry that no segment "
                         f"matches on goes in goals.known_values.{name}")
    selected = group.wanted(name)
    if selected and value not in selected:
        raise ValueError(f"{where}: no lead of this group has {name} {value!r}: the group selects {name} "
                         f"{', '.join(selected)}")


def _entry(where: str, name: str, value: str) -> str:
    """The path of one table entry, so its line is named (the table's, for a key a path cannot spell)."""
    return f"{where}.{name}.{value}" if _PATH_KEY.fullmatch(value) else f"{where}.{name}"


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
    _check_holds_marketing(where, segment, name)
    for attribute in GROUP_ATTRIBUTES:
        mine, theirs = set(group.wanted(attribute)), set(_values(segment.match.get(attribute)))
        if mine and theirs and not mine & theirs:
            raise ValueError(f"{where}: no lead can be selected: segment {name!r} matches {attribute} "
                             f"{', '.join(sorted(theirs))}, and this group selects {', '.join(sorted(mine))}")


def _check_holds_marketing(where: str, segment: "Segment", name: str) -> None:
    sources = _values(segment.match.get("source"))
    if sources and MARKETING not in sources:
        raise ValueError(f"{where}: segment {name!r} matches only source {', '.join(sources)}: "
                         "it holds no marketing lead, and goals count marketing leads")


def _at(where: str, group: "GoalGroup", name: str, position: int) -> str:
    """The path of one selected value: the list item when the selection is a list, so its line is named."""
    return f"{where}.select.{name}" + (f"[{position}]" if isinstance(group.select[name], list) else "")


def _values(value: str | list[str] | None) -> list[str]:
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def _a(attribute: str) -> str:
    return f"an {attribute}" if attribute[0] in "aeiou" else f"a {attribute}"
