"""``leadsla digest``: one day's short summary for both teams, printed and optionally posted.

The day defaults to yesterday in the policy's reporting time zone (its default
calendar's), so a morning cron job needs no date.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from models.policy import Policy
from models.report import reporting_zone
from streams.commands.period_report import period_of, period_report
from streams.commands.webhook import post_json
from streams.reports.digest import digest_markdown, digest_payload
from streams.runtime.policy_source import load_policy
from streams.runtime.settings import Settings


def run_digest(args: argparse.Namespace, settings: Settings) -> int:
    policy = load_policy(settings.policy_path)
    day = args.day or default_day(policy, datetime.now(ZoneInfo(reporting_zone(policy))))
    report, _ = period_report(args.events, settings, policy, period_of(policy, day, day))
    text = digest_markdown(report)
    sys.stdout.write(text)
    if args.post:
        post_json(args.post, digest_payload(text))
        print(f"leadsla: posted the digest to {args.post}", file=sys.stderr)
    return 0


def default_day(policy: Policy, now: datetime) -> date:
    """Yesterday, in the policy's reporting time zone."""
    return now.astimezone(ZoneInfo(reporting_zone(policy))).date() - timedelta(days=1)
