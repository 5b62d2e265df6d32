"""The domain core stays pure: no I/O frameworks, no clock, no environment (DESIGN.md, house rule 1).

Checked on the source with ``ast``, so a forbidden import or call is found even on
a code path no other test runs. Every finding names the module and the line.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import models

MODELS_DIR = Path(models.__file__).parent
MODULES = sorted(MODELS_DIR.rglob("*.py"))

FORBIDDEN_PACKAGES = frozenset(
    {"faust", "kafka", "aiokafka", "aiohttp", "httpx", "requests", "prometheus_client", "streams", "alerts"}
)
# (object name, attribute): reading the clock or the environment.
FORBIDDEN_ATTRIBUTES = frozenset(
    {
        ("datetime", "now"),
        ("datetime", "utcnow"),
        ("datetime", "today"),
        ("date", "today"),
        ("time", "time"),
        ("time", "time_ns"),
        ("time", "monotonic"),
        ("os", "environ"),
        ("os", "getenv"),
    }
)
# `from os import environ` or `from time import time` smuggle the same reads in by name.
FORBIDDEN_NAMES = frozenset({("os", "environ"), ("os", "getenv"), ("time", "time"), ("time", "time_ns")})


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def violations(source: str, name: str) -> list[str]:
    """Every forbidden import or clock/environment read in ``source``, as ``name:line: what``."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source, filename=name)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FORBIDDEN_PACKAGES:
                    found.append(f"{name}:{node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in FORBIDDEN_PACKAGES:
                found.append(f"{name}:{node.lineno}: imports from {node.module}")
            for alias in node.names:
                if (node.module, alias.name) in FORBIDDEN_NAMES:
                    found.append(f"{name}:{node.lineno}: imports {alias.name} from {node.module}")
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node.value)
            owner = dotted.rsplit(".", 1)[-1] if dotted else None
            if (owner, node.attr) in FORBIDDEN_ATTRIBUTES:
                found.append(f"{name}:{node.lineno}: uses {dotted}.{node.attr}")
    return sorted(found, key=lambda text: int(text.split(":")[1]))


def test_there_are_modules_to_check():
    names = {path.name for path in MODULES}
    assert {"cycles.py", "verdicts.py", "lead_state.py", "tracker.py", "calendar.py", "events.py"} <= names


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(MODELS_DIR)) for p in MODULES])
def test_model_module_is_pure(path):
    name = f"models/{path.relative_to(MODELS_DIR)}"
    assert violations(path.read_text(), name) == []


# --- the checker itself must catch what it is meant to catch --------------------------------------

IMPURE = """\
import os
import faust
from kafka.consumer import KafkaConsumer
import prometheus_client as metrics
from streams.kafka.codec import decode_event
from alerts import console
import time
from datetime import datetime, date
from os import getenv
from time import time as clock


def stamp():
    started = datetime.now()
    legacy = datetime.utcnow()
    day = date.today()
    seconds = time.time()
    broker = os.environ["BOOTSTRAP"]
    other = os.getenv("X")
    import requests, httpx.client, aiohttp, aiokafka
    return started
"""


def test_checker_names_every_offence_with_its_line():
    assert violations(IMPURE, "models/impure.py") == [
        "models/impure.py:2: imports faust",
        "models/impure.py:3: imports from kafka.consumer",
        "models/impure.py:4: imports prometheus_client",
        "models/impure.py:5: imports from streams.kafka.codec",
        "models/impure.py:6: imports from alerts",
        "models/impure.py:9: imports getenv from os",
        "models/impure.py:10: imports time from time",
        "models/impure.py:14: uses datetime.now",
        "models/impure.py:15: uses datetime.utcnow",
        "models/impure.py:16: uses date.today",
        "models/impure.py:17: uses time.time",
        "models/impure.py:18: uses os.environ",
        "models/impure.py:19: uses os.getenv",
        "models/impure.py:20: imports requests",
        "models/impure.py:20: imports httpx.client",
        "models/impure.py:20: imports aiohttp",
        "models/impure.py:20: imports aiokafka",
    ]


def test_checker_sees_qualified_clock_reads():
    source = "import datetime\n\nx = datetime.datetime.now(datetime.timezone.utc)\n"
    assert violations(source, "models/q.py") == ["models/q.py:3: uses datetime.datetime.now"]


def test_checker_accepts_pure_time_arithmetic():
    source = (
        "from datetime import datetime, time, timedelta, timezone\n"
        "EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)\n"
        "def later(t):\n    return datetime.fromtimestamp(t.timestamp(), timezone.utc) + timedelta(1)\n"
        "NOON = time(12)\n"
        "from streamsy import x\n"
    )
    assert violations(source, "models/ok.py") == []
