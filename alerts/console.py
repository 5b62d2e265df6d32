"""The console notifier: what on-call would be paged with, as one line per change.

It is the default when no Alertmanager is configured, so ``leadsla run`` shows
warnings, breaches and escalations with nothing else installed. It hears only
changes (an alert fired or resolved), never the periodic re-sends.
"""

from __future__ import annotations

from typing import Callable, Iterable

from alerts.lifecycle import Change

SEVERITY_MARK = {"page": "PAGE", "warning": "WARN"}


def format_change(change: Change) -> str:
    """E.g. ``ALERT FIRING   PAGE LeadSLABreached  team=enterprise escalation=0 notify=rep  Lead L-1 (...) ...``."""
    labels = change.alert.labels
    state = "FIRING  " if change.status == "firing" else "RESOLVED"
    mark = SEVERITY_MARK.get(labels["severity"], labels["severity"].upper())
    routing = f"team={labels['team']} escalation={labels['escalation']} notify={labels['notify']}"
    if change.status == "firing":
        text = f"{change.alert.annotations['summary']}  {change.alert.annotations['lead_url']}"
    else:
        text = f"Lead {labels['lead_id']} (owner {labels['owner_rep']}): resolved"
    return f"ALERT {state} {mark} {labels['alertname']:<16} {routing}  {text}"


class ConsoleNotifier:
    def __init__(self, write: Callable[[str], None]) -> None:
        self.write = write

    def notify(self, changes: Iterable[Change]) -> None:
        for change in changes:
            self.write(format_change(change))
