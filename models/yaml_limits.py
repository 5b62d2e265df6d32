"""Bounds on a composed YAML document, checked before anything expands it.

YAML aliases (``*name``) repeat an anchored value without copying it, so a few
hundred bytes can stand for 10^9 values ("billion laughs"): converting such a
document to plain values takes gigabytes. PyYAML's composer keeps each anchored
node once, so the expanded size can be counted on the node graph, each node once,
and refused before a single value is built. Anchors and merge keys stay usable
within the budget: the example policy shares its holiday list this way.
Pure: nodes in, a number or an error out.
"""

from __future__ import annotations

import yaml

# A real policy holds a few hundred values; this leaves room for very large ones.
MAX_EXPANDED_VALUES = 100_000


class TooLarge(ValueError):
    """The document would expand beyond the budget; ``line`` names where to look."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def check_expansion(root: yaml.Node, budget: int = MAX_EXPANDED_VALUES) -> None:
    """Raise TooLarge when aliases would expand ``root`` to more than ``budget`` values, or
    when an alias refers to a value that contains it (it would never end)."""
    sizes: dict[int, int] = {}
    repeated: dict[int, yaml.Node] = {}
    try:
        total = _size(root, sizes, repeated, set())
    except RecursionError:
        raise TooLarge(root.start_mark.line + 1, "the document is nested too deeply") from None
    if total > budget and repeated:  # without aliases the file's own size bounds the document
        culprit = max(repeated.values(), key=lambda node: sizes[id(node)], default=root)
        raise TooLarge(culprit.start_mark.line + 1,
                       f"YAML aliases repeat the value that starts here until the document would hold "
                       f"{_at_least(total)} values (at most {budget:,}); write the values out or use fewer aliases")


def _size(node: yaml.Node, sizes: dict[int, int], repeated: dict[int, yaml.Node], open_: set[int]) -> int:
    key = id(node)
    if key in sizes:
        repeated[key] = node  # reached again: through an alias
        return sizes[key]
    if key in open_:
        raise TooLarge(node.start_mark.line + 1,
                       "a YAML alias refers to the value that contains it: it would repeat without end")
    open_.add(key)
    total = 1 + sum(_size(child, sizes, repeated, open_) for child in _children(node))
    open_.discard(key)
    sizes[key] = total
    return total


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _at_least(total: int) -> str:
    return f"{total:,}" if total < 10**12 else f"about 10^{len(str(total)) - 1}"
