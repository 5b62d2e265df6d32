"""Render tools/previews/report.png: the HTML report of four simulated weeks, as Chromium draws it.

    python -m tools.previews.report [--output PATH] [--html PATH]

Simulated CRM traffic (streams.simulator, a fixed seed) from Mon 5 Oct 2026 is written
to a JSONL file, ``leadsla report`` makes the HTML of 12 Oct to 6 Nov (a month end and
the end of daylight saving time), and headless Chromium (Debian's ``chromium``) takes the
screenshot the README shows.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from streams.cli import main as leadsla
from streams.simulator.feed import generate_jsonl
from streams.simulator.traffic import TrafficModel

CHECKOUT = Path(__file__).resolve().parents[2]
NEW_YORK = ZoneInfo("America/New_York")
TRAFFIC = (datetime(2026, 10, 5, 9, tzinfo=NEW_YORK), datetime(2026, 11, 7, tzinfo=NEW_YORK))
PERIOD = ("2026-10-12", "2026-11-06")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.previews.report", description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=CHECKOUT / "tools" / "previews" / "report.png")
    parser.add_argument("--html", type=Path, help="keep the HTML report here too")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        events, page = Path(tmp) / "events.jsonl", args.html or Path(tmp) / "report.html"
        model = TrafficModel(random.Random(2026), leads_per_hour=4, bad_rate=0.01)
        events.write_text("\n".join(generate_jsonl(model, *TRAFFIC, include_raw=True)) + "\n")
        leadsla(["report", "--from", PERIOD[0], "--to", PERIOD[1], "--events", str(events), "--output", str(page)])
        _screenshot(page, args.output, Path(tmp) / "chromium")
    print(f"wrote {args.output}")
    return 0


def _screenshot(page: Path, png: Path, profile: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise SystemExit("chromium is not installed (apt-get install chromium; scripts/test installs it)")
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={profile}", "--window-size=1160,1500", f"--screenshot={png.resolve()}",
                    page.resolve().as_uri()], check=True, capture_output=True, timeout=180)


if __name__ == "__main__":
    raise SystemExit(main())
