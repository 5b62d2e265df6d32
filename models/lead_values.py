"""What one lead is worth in a value-mode goal group: its own type's value, as the method prices leads.

The method gives each type of lead a value (a demo request $100, a webinar $80, an ebook
$30) and follows the goal in currency. A value-mode group may carry such a table,
``lead_values``, keyed by one lead attribute; a lead is worth

    the table's value for the lead's value of that attribute, else
    the group's ``lead_value`` (a typed value: the worth of a type the table does not list), else
    the caller's fallback (close rate x deal size, for a group without a table).

Policy validation (models.goal_groups) makes sure a group with a table prices every lead it
can select without that last fallback, so whatever sums a group's value (the live
waterfall, ``leadsla report``, ``leadsla goals``) adds each lead's own value.

Pure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping

if TYPE_CHECKING:
    from models.goal_spec import GoalGroup

Attributes = Mapping[str, str | None]


def value_table(group: "GoalGroup") -> tuple[str, Mapping[str, float]] | None:
    """(attribute, value of each of its values) of the group's table, or None without one."""
    if not group.lead_values:
        return None
    (attribute, values), = group.lead_values.items()
    return attribute, values


@dataclass
class Worth:
    """A running sum of leads' own values. Leads the table does not price are counted and priced
    together at the end (x lead value), so a group without a table sums exactly leads x lead value."""

    group: "GoalGroup"
    fallback: float | None = None  # a lead's worth when neither the table nor the group's lead_value says
    priced: float = 0.0
    unpriced: int = 0

    def add(self, attributes: Attributes) -> None:
        table = value_table(self.group)
        found = table[1].get(attributes.get(table[0]) or "") if table else None
        if found is None:
            self.unpriced += 1
        else:
            self.priced += found

    @property
    def total(self) -> float | None:
        """The leads' worth; None when a lead has no value (no table entry, lead_value or fallback), or
        when nothing prices the group's leads at all (no table, no value): unknown, not 0."""
        each = self.group.lead_value if self.group.lead_value is not None else self.fallback
        if each is None:
            return None if self.unpriced or value_table(self.group) is None else self.priced
        return self.priced + self.unpriced * each


def summed_worth(group: "GoalGroup", leads: Iterable[Attributes], fallback: float | None = None) -> float | None:
    """Each lead's own value, added up (see Worth)."""
    worth = Worth(group, fallback)
    for attributes in leads:
        worth.add(attributes)
    return worth.total
