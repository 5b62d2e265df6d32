"""Policy files: YAML text in, a validated ``Policy`` out, or errors naming line and field.

The people who edit the policy are sales/marketing ops, not developers, so a bad
file must be answered with every problem at once, each as
``<source>:<line>: <field.path>: <message>``. To get lines we compose the YAML
into nodes (which keep their start marks), convert them to plain values
ourselves while recording where each value and key starts, and map every
pydantic error ``loc`` back onto those positions.

Pure: the caller reads the file and passes its text.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from typing import Any

import yaml
from pydantic import ValidationError

from models.policy import POLICY_VERSION, Policy
from models.yaml_limits import TooLarge, check_expansion

Path = tuple[Any, ...]

# A policy is a page or two of YAML; a megabyte of it is a mistake (or an attack on the parser).
MAX_POLICY_CHARS = 1_000_000

_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_SIMPLE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# A validator that knows the field it is complaining about says so as a prefix:
# "teams.emea.calendar: unknown calendar ..." (see Policy._references_exist).
_MESSAGE_PATH = re.compile(r"^([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*): (.+)$", re.DOTALL)
_PATH_PART = re.compile(r"\.?([\w-]+)|\[(\d+)\]")


class PolicyError(ValueError):
    """A policy file that cannot be used; ``str()`` lists every problem, one per line."""

    def __init__(self, problems: list[str] | tuple[str, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


def parse_policy(text: str, source: str = "policy.yaml") -> Policy:
    """Parse and validate policy YAML; raise PolicyError listing every problem found."""
    if len(text) > MAX_POLICY_CHARS:
        raise PolicyError([f"{source}:1: the file holds {len(text):,} characters; a policy is at most "
                           f"{MAX_POLICY_CHARS:,}"])
    tree = _Tree(source)
    root = _compose(text, source)
    data = tree.convert(root, ())
    if not isinstance(data, dict):
        kind = "empty" if data is None else "a list" if isinstance(data, list) else "a single value"
        raise PolicyError([f"{source}:{tree.lines[()]}: the top level must be a mapping "
                           f"(version, calendars, segments, ...), but it is {kind}"])
    _check_version(data, tree)
    try:
        policy: Policy | None = Policy.model_validate(data)
    except ValidationError as error:
        policy = None
        _add_validation_problems(error, tree)
    if tree.problems or policy is None:
        raise PolicyError(tree.sorted_problems() or [f"{source}:1: the policy is not valid"])
    return policy


def _compose(text: str, source: str) -> yaml.Node | None:
    """The node graph, refused before conversion if aliases would blow it up (models.yaml_limits)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is not None:
            check_expansion(root)
        return root
    except yaml.YAMLError as error:
        raise PolicyError([_yaml_problem(error, source)]) from None
    except TooLarge as error:
        raise PolicyError([f"{source}:{error.line}: {error}"]) from None
    except RecursionError:  # the composer recurses once per level of nesting
        raise PolicyError([f"{source}:1: not valid YAML: nested too deeply"]) from None


def _yaml_problem(error: yaml.YAMLError, source: str) -> str:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    line = mark.line + 1 if mark else 1
    problem = getattr(error, "problem", None) or str(error)
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark and context_mark is not mark:
        context += f" started on line {context_mark.line + 1}"
    detail = f"{problem} ({context})" if context else problem
    return f"{source}:{line}: not valid YAML: {detail}"


class _Tree:
    """Converts composed nodes to plain values, remembering the line of each path."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.constructor = yaml.constructor.SafeConstructor()
        self.lines: dict[Path, int] = {(): 1}      # where each value starts
        self.key_lines: dict[Path, int] = {}       # where the key naming it starts
        self.problems: list[tuple[int, str]] = []

    def line_of(self, path: Path) -> int:
        # The key line reads best: for a nested block it is the "field:" line,
        # while the value node only starts on the line below.
        return self.key_lines.get(path) or self.lines[path]

    def add(self, line: int, path: Path, message: str) -> None:
        where = f"{format_path(path)}: " if path else ""
        text = f"{self.source}:{line}: {where}{message}"
        if all(text != known for _, known in self.problems):
            self.problems.append((line, text))

    def sorted_problems(self) -> list[str]:
        return [text for _, text in sorted(self.problems, key=lambda item: item[0])]

    def convert(self, node: yaml.Node | None, path: Path) -> Any:
        if node is None:
            return None
        self.lines[path] = node.start_mark.line + 1
        try:
            if node.tag == _MAP_TAG:
                return self._mapping(node, path)
            if node.tag == _SEQ_TAG:
                return [self.convert(item, path + (i,)) for i, item in enumerate(node.value)]
            # Scalars (and exotic tags, which SafeConstructor refuses) resolve the
            # standard way: dates become date, 10 becomes int, yes becomes True.
            return self.constructor.construct_object(node, deep=True)
        except yaml.YAMLError as error:
            raise PolicyError([_yaml_problem(error, self.source)]) from None

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        self.constructor.flatten_mapping(node)  # applies "<<: *anchor" merge keys
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.constructor.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, Hashable):
                self.add(line, path, "a key must be a plain value, not a list or mapping")
                continue
            if key in out:
                # PyYAML silently keeps the last one; in a policy that hides a typo.
                first = self.key_lines[path + (key,)]
                self.add(line, path + (key,), f"duplicate key (first given on line {first})")
            self.key_lines[path + (key,)] = line
            out[key] = self.convert(value_node, path + (key,))
        return out


def _check_version(data: dict[Any, Any], tree: _Tree) -> None:
    """Check the version first: a file written for another version is not worth validating."""
    if "version" not in data:
        tree.add(tree.lines[()], ("version",),
                 f"missing policy version: add 'version: {POLICY_VERSION}' at the top")
        return
    version = data["version"]
    # type() rather than isinstance: YAML "true" is a bool, and True == 1 in Python.
    if type(version) is not int or version != POLICY_VERSION:
        shown = version if type(version) is int else repr(version)
        tree.add(tree.line_of(("version",)), ("version",),
                 f"unsupported policy version {shown}: this leadsla understands version {POLICY_VERSION}")
        raise PolicyError(tree.sorted_problems())


def _add_validation_problems(error: ValidationError, tree: _Tree) -> None:
    details = [d for d in error.errors() if d["loc"] != ("version",)]  # already checked
    for detail in _collapse_unions(details, tree):
        if detail["type"] == "too_short" and _has_deeper_error(detail["loc"], details):
            # pydantic counts only the items that validated, so a tuple whose one
            # item is invalid is also "too short"; the item's own error is the news.
            continue
        message = detail["msg"].removeprefix("Value error, ")
        loc = tuple(detail["loc"])
        loc, message = _message_path(loc, message, tree)
        line, path = _locate(loc, detail["type"], tree)
        tree.add(line, path, message)


def _collapse_unions(details: list[dict[str, Any]], tree: _Tree) -> list[dict[str, Any]]:
    """pydantic reports a failed union once per member; keep what helps the reader.

    For ``offer: [demo, 5]`` against ``str | list[str]`` the list member's
    "offer[1]: not a string" is the news and the str member's complaint is noise;
    for ``offer: 5`` both members failed outright, so say it once: "a valid
    string or a valid list".
    """
    groups: dict[Path, list[dict[str, Any]]] = {}
    out: list[dict[str, Any]] = []
    for detail in details:
        point = _union_point(tuple(detail["loc"]), detail["type"], tree)
        if point is None:
            out.append(detail)
        else:
            groups.setdefault(tuple(detail["loc"][:point]), []).append(detail)
    for prefix, members in groups.items():
        deeper = [d for d in members if len(d["loc"]) > len(prefix) + 1]
        if deeper:
            out.extend(deeper)
        else:
            rest = [m["msg"].removeprefix("Input should be ") for m in members[1:]]
            out.append({**members[0], "msg": " or ".join([members[0]["msg"], *rest])})
    return out


def _union_point(loc: Path, error_type: str, tree: _Tree) -> int | None:
    """Index of the first loc part that names a union member rather than a field."""
    for position in range(len(loc)):
        if loc[: position + 1] in tree.lines or loc[position] == "[key]":
            continue
        if error_type == "missing" and position == len(loc) - 1:
            return None
        return position
    return None


def _has_deeper_error(loc: tuple[Any, ...], details: list[dict[str, Any]]) -> bool:
    return any(len(d["loc"]) > len(loc) and tuple(d["loc"][: len(loc)]) == tuple(loc) for d in details)


def _message_path(loc: Path, message: str, tree: _Tree) -> tuple[Path, str]:
    """Move a leading "field.path: " from a validator's message into the location."""
    found = _MESSAGE_PATH.match(message)
    if not found:
        return loc, message
    parts = tuple(int(index) if index else name for name, index in _PATH_PART.findall(found.group(1)))
    if loc + parts not in tree.lines:
        return loc, message
    return loc + parts, found.group(2)


def _locate(loc: Path, error_type: str, tree: _Tree) -> tuple[int, Path]:
    """The line and shown path for a pydantic loc: the deepest part that is in the file."""
    path: Path = ()
    line = tree.lines[()]
    for position, part in enumerate(loc):
        candidate = path + (part,)
        if candidate in tree.lines:
            path, line = candidate, tree.line_of(candidate)
        elif part == "[key]":
            line = tree.key_lines.get(path, line)  # the key itself is what is wrong
        elif error_type == "missing" and position == len(loc) - 1:
            path = candidate  # name the missing field; the line stays its parent's
        # Anything else is a pydantic union branch tag such as 'list[str]', not a field.
    return line, path


def format_path(path: Path) -> str:
    """``('segments', 0, 'speed_to_lead', 'target')`` -> ``segments[0].speed_to_lead.target``."""
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif isinstance(part, str) and _SIMPLE_KEY.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out
