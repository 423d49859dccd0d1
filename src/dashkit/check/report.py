"""``dashkit check`` results: a summary per dashboard, then every query that needs a look."""
from __future__ import annotations

import json

from dashkit.check.runner import CheckReport, Status
from dashkit.text import counted, format_table


def render(report: CheckReport, output: str, allow_empty: bool = False) -> str:
    """The report as a table, JSON or GitHub annotations, as the user asked."""
    if output == "json":
        return json.dumps({"dashboards": [{
            "uid": d.uid, "title": d.title, "seconds": round(d.seconds, 4), "over_budget": d.slow,
            "queries": [{"panel": q.panel, "refId": q.ref_id, "datasource": q.datasource,
                         "expr": q.expr, "status": q.status.value, "series": q.series,
                         "seconds": round(q.seconds, 4), "message": q.message,
                         "too_many_series": q.too_many_series, "slow": q.slow}
                        for q in d.queries]} for d in report.dashboards]}, indent=2)
    summary = [(d.uid, len(d.queries), d.count(Status.OK), d.count(Status.EMPTY),
                d.count(Status.ERROR) + d.count(Status.UNKNOWN_METRIC), d.count(Status.SKIPPED),
                f"{max((q.seconds for q in d.queries), default=0) * 1000:.0f} ms",
                f"{d.seconds * 1000:.0f} ms" + (" OVER BUDGET" if d.slow else ""))
               for d in report.dashboards]
    lines = [format_table(("dashboard", "queries", "ok", "empty", "errors", "skipped", "slowest",
                           "total"), summary)]
    notable = [q for d in report.dashboards for q in d.queries
               if q.status not in (Status.OK, Status.SKIPPED) or q.slow or q.too_many_series]
    if notable:
        rows = [(q.dashboard, q.panel, q.ref_id, q.status.value, q.series,
                 f"{q.seconds * 1000:.0f} ms" + (" slow" if q.slow else ""),
                 (q.message + (" too many series" if q.too_many_series else "")).strip())
                for q in notable]
        lines.append(format_table(("dashboard", "panel", "query", "status", "series", "time",
                                   "detail"), rows))
    failures = report.failures(allow_empty)
    total = sum(len(d.queries) for d in report.dashboards)
    lines.append(f"{counted(total, 'query', 'queries')} in {counted(len(report.dashboards), 'dashboard')}: "
                 f"{len(failures)} failing" + (" (empty panels allowed)" if allow_empty else ""))
    return "\n\n".join(lines)
