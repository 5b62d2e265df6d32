"""``leadsla generate-alerts`` and ``leadsla dashboards``: the same flags, the same rules for where to write.

Both render files from the policy (alerts.generate, grafana.generate) and either write
them (``--output DIR``) or compare them with what is there (``--check``: exit 1 and
name each stale file). Without ``--output`` they use the repository's own folder,
``alerts/`` or ``grafana/``, and only when run from the root of a checkout: an
installed leadsla must never rewrite files inside its own package.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from models.policy import Policy
from streams.commands.policy_versions import policy_in_force

Render = Callable[[Policy], dict[str, str]]  # policy -> {path relative to the folder: text}


def add_generator(commands, name: str, folder: str, help: str, render_import: Callable[[], Render]) -> None:
    command = commands.add_parser(name, help=help)
    command.add_argument("--policy", type=Path, help="policy file, or a folder of dated versions: the one in force "
                                                      "now (default: the shipped example)")
    command.add_argument("--output", "--out", type=Path, metavar="DIR",
                         help=f"folder to write into (default: {folder}/ when run from a leadsla checkout)")
    command.add_argument("--check", action="store_true",
                         help="write nothing; exit 1 if a file differs from what the policy generates")
    command.set_defaults(handler=lambda args: generate(args, name, folder, render_import()))


def generate(args: argparse.Namespace, name: str, folder: str, render: Render) -> int:
    root = args.output or checkout_folder(folder)
    if root is None:
        print(f"leadsla {name}: give --output DIR: {Path.cwd()} is not the root of a leadsla checkout, and an "
              f"installed leadsla does not write into its own package", file=sys.stderr)
        return 2
    files = render(policy_in_force(args.policy, datetime.now(timezone.utc)))
    if args.check:
        return _check(files, root, name)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
        print(f"wrote {target}", file=sys.stderr)
    return 0


def checkout_folder(folder: str, here: Path | None = None) -> Path | None:
    """``here/folder`` when ``here`` (default: the current directory) is a leadsla checkout's root."""
    here = here or Path.cwd()
    try:
        project = tomllib.loads((here / "pyproject.toml").read_text())["project"]["name"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None
    return here / folder if project == "leadsla" and (here / folder).is_dir() else None


def _check(files: dict[str, str], root: Path, name: str) -> int:
    stale = [path for path, text in files.items()
             if not (root / path).is_file() or (root / path).read_text() != text]
    for path in stale:
        print(f"stale: {root / path} differs from what the policy generates (run `leadsla {name}`)", file=sys.stderr)
    return 1 if stale else 0
