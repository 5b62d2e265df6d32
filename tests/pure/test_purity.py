"""The domain core stays pure, and every package imports only the layers below it.

Pure (house rule 1 of the design): models/ uses no I/O framework, reads no clock and
no environment, and does no file, socket or process I/O. Layers: each shipped
package may import only the project packages its row of ``ALLOWED_IMPORTS`` names
(the direction is cli, commands -> console, simulator -> runtime -> kafka, metrics ->
models). Checked on the source with ``ast``, so a forbidden import or call is found
even on a code path no other test runs. Every finding names the module and the line.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import models
from tests.source_parsing import parse_source

MODELS_DIR = Path(models.__file__).parent
MODULES = sorted(MODELS_DIR.rglob("*.py"))

FORBIDDEN_PACKAGES = frozenset(
    {"faust", "kafka", "aiokafka", "aiohttp", "httpx", "requests", "prometheus_client", "streams", "alerts",
     # file, socket and process I/O
     "socket", "ssl", "selectors", "asyncio", "subprocess", "multiprocessing", "threading", "signal", "shutil",
     "tempfile", "glob", "io", "pathlib", "urllib", "http", "importlib"}
)
# Builtins that read or write outside the process's memory.
FORBIDDEN_CALLS = frozenset({"open", "input", "print", "exec", "eval", "breakpoint", "__import__"})
# Methods that do file I/O whatever their owner (a Path, a resource): none belongs in the domain.
FORBIDDEN_METHODS = frozenset({"read_text", "write_text", "read_bytes", "write_bytes", "open", "unlink", "mkdir"})
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
        ("time", "sleep"),
        ("time", "perf_counter"),
        *(("os", name) for name in ("system", "popen", "fork", "kill", "remove", "unlink", "listdir", "scandir",
                                    "walk", "makedirs", "mkdir", "open", "read", "write", "getcwd", "chdir")),
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
    for node in ast.walk(parse_source(source, name)):
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
        elif isinstance(node, ast.Call):
            found += _io_call(node, name)
    return sorted(found, key=lambda text: int(text.split(":")[1]))


def _io_call(node: ast.Call, name: str) -> list[str]:
    if isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
        return [f"{name}:{node.lineno}: calls {node.func.id}()"]
    if isinstance(node.func, ast.Attribute) and node.func.attr in FORBIDDEN_METHODS:
        return [f"{name}:{node.lineno}: calls .{node.func.attr}()"]
    return []


def test_there_are_modules_to_check():
    names = {path.name for path in MODULES}
    assert {"cycles.py", "verdicts.py", "lead_state.py", "tracker.py", "calendar.py", "events.py",
            "report.py", "report_figures.py"} <= names


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


def test_checker_catches_file_socket_and_process_io():
    source = (
        "import socket\nimport subprocess\nfrom pathlib import Path\nimport os\nimport time\n"
        "def load(where):\n"
        "    text = open(where).read()\n"
        "    other = Path(where).read_text()\n"
        "    os.system('ls')\n"
        "    time.sleep(1)\n"
        "    print(text)\n"
        "    return other\n"
    )
    assert violations(source, "models/io.py") == [
        "models/io.py:1: imports socket",
        "models/io.py:2: imports subprocess",
        "models/io.py:3: imports from pathlib",
        "models/io.py:7: calls open()",
        "models/io.py:8: calls .read_text()",
        "models/io.py:9: uses os.system",
        "models/io.py:10: uses time.sleep",
        "models/io.py:11: calls print()",
    ]


# --- layers: which project packages each shipped package may import ---------------------------------

ROOT = MODELS_DIR.parent
SHIPPED = ("models", "streams", "alerts", "grafana")
PROJECT = frozenset(SHIPPED + ("tools", "tests"))
NAMES = "streams.metrics.names"
LOWER_STREAMS = ("streams.kafka", "streams.metrics", "streams.runtime", "streams.console", "streams.simulator",
                 "streams.reports")
# The most specific row that contains a module applies to it. A row allows a package and everything in it.
ALLOWED_IMPORTS: dict[str, frozenset[str]] = {
    "models": frozenset({"models"}),
    NAMES: frozenset(),  # the standard library only (checked below)
    "streams.kafka": frozenset({"models", "streams.kafka"}),
    "streams.metrics": frozenset({"models", "streams.metrics"}),
    "alerts": frozenset({"models", NAMES, "alerts"}),
    "grafana": frozenset({"models", NAMES, "grafana"}),
    "streams.runtime": frozenset({"models", "alerts", "streams.kafka", "streams.metrics", "streams.runtime"}),
    "streams.console": frozenset({"models", "streams.kafka", "streams.runtime", "streams.console"}),
    "streams.simulator": frozenset({"models", "streams.kafka", "streams.runtime", "streams.simulator"}),
    "streams.reports": frozenset({"models", "streams.reports"}),  # rendering only: figures in, text out
    "streams.commands": frozenset({"models", "alerts", "grafana", *LOWER_STREAMS, "streams.commands"}),
    "streams.cli": frozenset({"models", "alerts", "grafana", *LOWER_STREAMS, "streams.commands"}),
    "streams": frozenset(),  # streams/__init__.py: nothing
}
SHIPPED_MODULES = sorted(path for package in SHIPPED for path in (ROOT / package).rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def row_for(module: str) -> str:
    return max((row for row in ALLOWED_IMPORTS if _within(module, row)), key=len)


def imported(source: str, name: str) -> list[tuple[int, str]]:
    """(line, module) of every absolute import in ``source``, nested ones included."""
    found = []
    for node in ast.walk(parse_source(source, name)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def layer_violations(source: str, module: str) -> list[str]:
    allowed = ALLOWED_IMPORTS[row_for(module)]
    return [f"{module}:{line}: imports {target}" for line, target in imported(source, module)
            if target.split(".")[0] in PROJECT and not any(_within(target, a) for a in allowed)]


def test_every_shipped_module_has_a_row():
    assert all(row_for(module_name(path)) for path in SHIPPED_MODULES)


@pytest.mark.parametrize("path", SHIPPED_MODULES, ids=lambda path: str(path.relative_to(ROOT)))
def test_module_imports_only_the_layers_below_it(path):
    assert layer_violations(path.read_text(), module_name(path)) == []


def test_names_module_needs_only_the_standard_library():
    path = ROOT / "streams" / "metrics" / "names.py"
    outside = [target for _, target in imported(path.read_text(), NAMES)
               if target.split(".")[0] not in sys.stdlib_module_names and target != "__future__.annotations"]
    assert outside == []


@pytest.mark.parametrize("package", ["streams", "streams/metrics"])
def test_package_init_imports_nothing(package):
    """Importing streams.metrics.names from alerts/ or grafana/ must not start Faust."""
    assert imported((ROOT / package / "__init__.py").read_text(), package) == []


def test_layer_checker_names_an_upward_import_with_its_line():
    source = "from streams.kafka.codec import encode\nfrom streams.runtime.clock import Clock\n\n" \
             "def f():\n    import grafana.generate\n"
    assert layer_violations(source, "streams.kafka.admin") == [
        "streams.kafka.admin:2: imports streams.runtime.clock.Clock",
        "streams.kafka.admin:5: imports grafana.generate",
    ]
    assert layer_violations("from streams.metrics.names import DECIDED\n", "alerts.rules") == []
    assert layer_violations("from streams.metrics.pipeline import x\n", "alerts.rules") == [
        "alerts.rules:1: imports streams.metrics.pipeline.x"]
