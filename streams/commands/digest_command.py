"""``leadsla digest``: one day's short summary for both teams, printed and optionally posted.

The day defaults to yesterday in the policy's reporting time zone (its default
calendar's), so a morning cron job needs no date.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from models.policy import Policy
from models.report import reporting_zone
from streams.commands.period_report import period_of, period_report
from streams.commands.policy_versions import load_history
from streams.commands.webhook import post_json
from streams.reports.digest import digest_html, digest_markdown, digest_payload
from streams.runtime.settings import Settings


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    history = load_history(settings.policy_path)
    now = datetime.now(timezone.utc)
    day = args.day or default_day(history.in_force(now).policy, now)
    report, _ = period_report(args.events, settings, history, period_of(history, day, day))
    text = digest_markdown(report)
    html = digest_html(report) if args.format == "html" else None
    sys.stdout.write(html or text)
    if args.post:
        post_json(args.post, digest_payload(text, html))
        print(f"leadsla: posted the digest to {args.post}", file=sys.stderr)
    return 0


def default_day(policy: Policy, now: datetime) -> date:
    """Yesterday, in the policy's reporting time zone."""
    return now.astimezone(ZoneInfo(reporting_zone(policy))).date() - timedelta(days=1)
