"""One twelve-panel dashboard written three ways: dashkit (here), grafanalib core
(same_grafanalib.py) and the Foundation SDK (same_foundation.py).

Each is what a user of that library writes for the same dashboard (two rows: six time series;
three stats, a gauge and a table; a service variable over a datasource variable), so the
benchmark compares libraries, not dashboards. Each file imports its own library only: a module
``generate-dashboards`` loads pays for grafanalib alone, as it would in a grafanalib project.
"""
from __future__ import annotations

from dashkit import Dashboard, Row, dumps, panels, promql, variable_ref, variables
from dashkit.sdk.compiler import compile_dashboard


def dashkit_dashboard(i: int) -> Dashboard:
    svc = {"service": promql.var("service")}
    series = [panels.timeseries(f"Series {j}", promql.rate_sum("http_requests_total", ["route"], where=svc),
                                unit="reqps", legend="{{route}}") for j in range(6)]
    stats = [panels.stat(f"Stat {j}", promql.sum_(promql.sel("up")), w=8) for j in range(3)]
    service = variables.query("service", variables.label_values("service", "http_requests_total"),
                              variable_ref("prometheus", "datasource"))
    return Dashboard(f"bench-{i}", f"Bench {i}", variables=[service], panels=[
        Row("Traffic", series),
        Row("Summary", [*stats, panels.gauge("Gauge", promql.sel("up"), w=12),
                        panels.table("Table", promql.sel("up"), w=12)]),
    ])


def dashkit_json(i: int) -> str:
    return dumps(compile_dashboard(dashkit_dashboard(i)))
