"""Headless Chromium (Debian's ``chromium``, installed by scripts/test) for the report tests:
the page's DOM as the browser built it, and a screenshot."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
         "--disable-extensions", "--disable-background-networking")


def chromium() -> str:
    """The browser's path; a test that needs it fails, never skips, where it is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is not installed: scripts/test installs Debian's chromium package "
                    "(apt-get install chromium); the HTML report must be checked in a real browser")
    return found


def dump_dom(page: Path, user_data: Path) -> str:
    return _run("--dump-dom", page, user_data).stdout


def screenshot(page: Path, png: Path, user_data: Path, size: str = "1200,1800") -> Path:
    _run(f"--screenshot={png}", page, user_data, f"--window-size={size}")
    return png


def _run(action: str, page: Path, user_data: Path, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={user_data}", *extra, action, page.as_uri()],
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


class Elements(HTMLParser):
    """Every element's tag and attributes, and the text of each table's cells by row."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs) -> None:
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "table":
            self._table = attributes.get("id", "")
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self.tables[self._table].append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self.tables[self._table][-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def find(self, tag: str, **attributes: str) -> list[dict[str, str]]:
        wanted = {k.replace("_", "-"): v for k, v in attributes.items()}
        return [a for t, a in self.elements if t == tag and all(a.get(k) == v for k, v in wanted.items())]
