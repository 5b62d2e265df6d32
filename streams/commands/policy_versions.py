"""The policy setting (``--policy``, else ``LEADSLA_POLICY``, else the shipped example) read as a
history of versions: a file is one version in force always; a folder holds versions named by
the date each comes into force, ``YYYY-MM-DD.yaml`` (anything may follow the date:
``2027-03-01-faster-demos.yaml``).

Every command finds its policy here, so an audit runs under the policy the worker runs under.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

from models.policy import Policy
from models.policy_history import PolicyHistory, PolicyVersion
from streams.commands.failures import UserError
from streams.runtime.policy_source import EXAMPLE_POLICY, load_policy

VERSION_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})[^/]*\.ya?ml")


def load_history(path: Path | None) -> PolicyHistory:
    """The versions at ``path`` (a file or a folder); a bad file is reported naming it and its line."""
    if path is None or not Path(path).is_dir():
        return PolicyHistory.single(load_policy(path), str(path) if path else f"models/{EXAMPLE_POLICY}")
    files = sorted(p for p in Path(path).iterdir() if p.suffix in (".yaml", ".yml"))
    if not files:
        raise UserError(f"the policy folder {path} holds no versions: name each YYYY-MM-DD.yaml, "
                        "the date it comes into force")
    versions = [PolicyVersion(file.name, _effective_date(file), load_policy(file)) for file in files]
    versions.sort(key=lambda version: version.effective_from)
    for earlier, later in zip(versions, versions[1:]):
        if earlier.effective_from == later.effective_from:
            raise UserError(f"the policy folder {path} has two versions in force from {later.effective_from}: "
                            f"{earlier.name} and {later.name}")
    return PolicyHistory(tuple(versions))


def policy_in_force(path: Path | None, now: datetime) -> Policy:
    """The version in force at ``now``: what alerts, dashboards and a worker's metrics use."""
    return load_history(path).in_force(now).policy


def _effective_date(file: Path) -> date:
    found = VERSION_NAME.fullmatch(file.name)
    try:
        return date.fromisoformat(found.group(1)) if found else _no_date(file)
    except ValueError:
        return _no_date(file)


def _no_date(file: Path) -> date:
    raise UserError(f"{file}: a policy version's name starts with the date it comes into force, "
                    "YYYY-MM-DD (e.g. 2027-03-01.yaml)")

