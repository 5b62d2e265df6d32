"""Reading the policy file (the one I/O step before the pure parser)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from models.policy import Policy
from models.policy_file import PolicyError, parse_policy

EXAMPLE_POLICY = "example_policy.yaml"


def load_policy(path: Path | None) -> Policy:
    """The file at ``path``, or the example policy shipped with leadsla."""
    if path is None:
        text = resources.files("models").joinpath(EXAMPLE_POLICY).read_text()
        return parse_policy(text, f"models/{EXAMPLE_POLICY}")
    try:
        text = Path(path).read_text()
    except OSError as error:  # reported like the file's other problems: named, no traceback
        raise PolicyError([f"{path}: cannot read the policy file: {error.strerror or error}"]) from None
    return parse_policy(text, str(path))
