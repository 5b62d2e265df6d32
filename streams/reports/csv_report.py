"""The report as one CSV: every list of the JSON report, one row per entry, with a ``table``
column naming the list (``teams``, ``days``, ``breaches``, ``depth.teams``…). Numbers are raw
(seconds, shares 0 to 1), for spreadsheets; the columns are the JSON keys."""

from __future__ import annotations

import csv
import io

from models.report import Report
from streams.reports.json_report import report_json

TABLES = ("days", "weeks", "teams", "segments", "reps", "segment_days", "breaches")


def report_csv(report: Report) -> str:
    document = report_json(report)
    rows = [{"table": "total", **document["total"]}]
    rows += [{"table": name, **entry} for name in TABLES for entry in document[name]]
    rows.append({"table": "depth.total", **document["depth"]["total"]})
    rows += [{"table": f"depth.{name}", **entry} for name in ("teams", "segments", "reps")
             for entry in document["depth"][name]]
    rows += _section_rows(document)
    quality = document["data_quality"]
    rows += [{"table": "corrections", **entry} for entry in quality["corrections"]]
    rows += [{"table": "rejected", **entry} for entry in quality["rejected"]]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _section_rows(document: dict) -> list[dict]:
    """Marketing (a row per group and month, and per day), the policy versions, and the what-if."""
    rows = [{"table": "policy_versions", **entry} for entry in document["policy_versions"]]
    rows += [{"table": "bandwidth", **entry} for entry in document["bandwidth"]]
    marketing = document["marketing"] or {"groups": []}
    for group in marketing["groups"]:
        rows.append({"table": "marketing", **{k: v for k, v in group.items() if k != "days"}})
    rows += [{"table": "marketing.days", "group": g["group"], "month": g["month"], **day}
             for g in marketing["groups"] for day in g["days"]]
    what_if = document["what_if"]
    if what_if:
        for name, key in (("total", None), ("teams", "team"), ("segments", "segment")):
            for entry in [what_if["total"]] if key is None else what_if[name]:
                for side in ("in_force", "what_if"):
                    rows.append({"table": f"what_if.{name}", "side": side,
                                 **({key: entry[key]} if key else {}), **entry[side]})
        rows += [{"table": "what_if.changes", **change} for change in what_if["changes"]]
    return rows
