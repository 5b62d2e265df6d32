"""The report as one self-contained HTML page: inline CSS and SVG, no script, nothing fetched.

It reads on a screen (headline figures, charts, then the tables) and prints well: the
print rules drop the colours behind the text, keep each chart and table row on one
page, and repeat table headings on every page.
"""

from __future__ import annotations

from html import escape

from models.goal_report import TOTAL
from models.report import Report
from models.report_marketing import GroupMonth
from streams.reports.formatting import duration, share
from streams.reports.markdown import notes, title
from streams.reports.svg_charts import depth_chart, speed_chart
from streams.reports.tables import Table, report_tables
from streams.reports.waterfall_chart import waterfall_chart

STYLE = """
body { font: 14px/1.45 "DejaVu Sans", Arial, sans-serif; color: #222; margin: 24px auto; max-width: 1100px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { margin-top: 28px; border-bottom: 2px solid #ccc; }
h3 { font-size: 15px; margin: 18px 0 6px; } p.note { color: #555; max-width: 900px; }
.headline { display: flex; gap: 12px; flex-wrap: wrap; margin: 16px 0; }
.figure { border: 1px solid #ccc; border-radius: 6px; padding: 8px 14px; min-width: 150px; background: #f7f9fc; }
.figure b { display: block; font-size: 22px; } .figure span { color: #555; font-size: 12px; }
table { border-collapse: collapse; margin: 4px 0 10px; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; white-space: nowrap; }
th { background: #eef2f7; white-space: normal; } td:first-child, th:first-child { text-align: left; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 8px 20px; }
svg.chart { display: block; margin: 6px 0 12px; width: 100%; height: auto; font-size: 11px; }
svg .chart-title { font-size: 13px; font-weight: bold; }
@media print {
  @page { size: A4 landscape; margin: 12mm; }
  body { margin: 0; max-width: none; font-size: 11px; }
  .figure, th { background: none; }
  svg.chart, tr, .headline { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
"""


def report_html(report: Report) -> str:
    body = [f"<h1>{escape(title(report))}</h1>", *(f'<p class="note">{escape(n)}</p>' for n in notes(report)),
            _headline(report), "<h2>Charts</h2>", *_charts(report)]
    section = None
    for table in report_tables(report):
        if table.section != section:
            section = table.section
            body.append(f"<h2>{escape(section)}</h2>")
        body.append(html_table(table))
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title(report))}</title><style>{STYLE}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def html_table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.headings)
    rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    return (f'<h3>{escape(table.title)}</h3><table id="{table.name}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def charted_groups(report: Report) -> list[GroupMonth]:
    """The waterfalls worth a chart: the groups whose goal is known, and the total of every marketing lead."""
    if report.marketing is None:
        return []
    return [g for g in report.marketing.groups if g.group == TOTAL or g.month_goal_leads is not None
            or g.month_goal_value is not None]


def _headline(report: Report) -> str:
    total, depth = report.total, report.depth_total
    figures = [
        (str(total.leads_decided), "leads decided"),
        (share(total.share_within_target), "within the speed target"),
        (str(total.breached), "breached"),
        (duration(total.wall.median), "median speed to lead"),
        (share(depth.share_within_target), "follow-up periods within target"),
        (str(len(report.rejected)), "records rejected"),
    ]
    if report.what_if is not None:
        figures.insert(2, (share(report.what_if.total[1].share_within_target), "within target under the what-if"))
    cells = "".join(f'<div class="figure"><b>{escape(value)}</b><span>{escape(label)}</span></div>'
                    for value, label in figures)
    return f'<div class="headline">{cells}</div>'


def _charts(report: Report) -> list[str]:
    waterfalls = [waterfall_chart(group) for group in charted_groups(report)]
    charts = [speed_chart(report, segment) for segment in report.by_segment_day]
    return ['<div class="charts">', *waterfalls, *charts, depth_chart(report), "</div>"]
