"""Parsing the project's own sources, for the tests that read them (purity, Kafka clients).

CPython 3.11 keeps the AST constructor's recursion depth in shared state, and a finalizer
that runs in the middle of a parse can leave it off ("SystemError: AST constructor recursion
depth mismatch", python/cpython#106905). An earlier test's unclosed Kafka client is such a
finalizer (its ``__del__`` flushes for a second while its threads run), and only the cyclic
garbage collector runs it. So the collector stays off while parsing.
"""

from __future__ import annotations

import ast
import gc


def parse_source(source: str, name: str) -> ast.Module:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return ast.parse(source, filename=name)
    finally:
        if was_enabled:
            gc.enable()
