"""The Alertmanager API v2 wire format for per-lead alerts (``POST /api/v2/alerts``). Pure.

Like Prometheus, a firing alert is sent with ``endsAt`` a few re-send intervals
ahead: if the sender dies, Alertmanager resolves it on its own instead of
paging forever; while the sender lives it re-sends long before that.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from alerts.lifecycle import Alert

# Prometheus uses 4 x its resend delay: three lost re-sends in a row are survivable.
ENDS_AT_RESENDS = 4
PATH = "/api/v2/alerts"


def endpoint(base_url: str) -> str:
    return base_url.rstrip("/") + PATH


def identity(alert: Alert) -> str:
    """Alertmanager's notion of "the same alert": its label set."""
    return json.dumps(alert.labels, sort_keys=True)


def wire_alert(alert: Alert, now: datetime, resend_every: timedelta) -> dict:
    ends_at = alert.ends_at if alert.ends_at is not None else now + ENDS_AT_RESENDS * resend_every
    return {
        "labels": alert.labels,
        "annotations": alert.annotations,
        "startsAt": rfc3339(alert.starts_at),
        "endsAt": rfc3339(max(ends_at, alert.starts_at)),  # endsAt before startsAt is a 400
        "generatorURL": alert.annotations.get("lead_url", ""),
    }


def wire_batch(alerts: list[dict]) -> bytes:
    return json.dumps(alerts, separators=(",", ":")).encode()


def rfc3339(moment: datetime) -> str:
    utc = moment.astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
