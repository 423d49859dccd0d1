"""One twelve-panel dashboard written three ways: dashkit, grafanalib core, the Foundation SDK.

Each is what a user of that library writes for the same dashboard (two rows: six time series;
three stats, a gauge and a table; a service variable over a datasource variable), so the
benchmark compares libraries, not dashboards. The Foundation SDK is imported only when used: it
is installed in the benchmark environment alone (``make benchmark``).
"""
from __future__ import annotations

import json
from typing import Any

import grafanalib.core as gl
from grafanalib._gen import DashboardEncoder

from dashkit import Dashboard, Row, dumps, panels, promql, variable_ref, variables
from dashkit.sdk.compiler import compile_dashboard

EXPR = 'sum by (route) (rate(http_requests_total{service=~"$service"}[$__rate_interval]))'


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


def grafanalib_dashboard(i: int) -> gl.Dashboard:
    """The same panels as grafanalib objects, placed and numbered by hand (grafanalib needs it)."""
    placed: list[object] = [gl.RowPanel(title="Traffic", id=1, gridPos=gl.GridPos(1, 24, 0, 0))]
    for j in range(6):
        placed.append(gl.TimeSeries(
            title=f"Series {j}", id=2 + j, gridPos=gl.GridPos(8, 12, 12 * (j % 2), 1 + 8 * (j // 2)),
            unit="reqps", targets=[gl.Target(expr=EXPR, legendFormat="{{route}}", refId="A")]))
    placed.append(gl.RowPanel(title="Summary", id=8, gridPos=gl.GridPos(1, 24, 0, 25)))
    for j in range(3):
        placed.append(gl.Stat(title=f"Stat {j}", id=9 + j, gridPos=gl.GridPos(4, 8, 8 * j, 26),
                              targets=[gl.Target(expr="sum(up)", refId="A")]))
    placed.append(gl.GaugePanel(title="Gauge", id=12, gridPos=gl.GridPos(6, 12, 0, 30),
                                targets=[gl.Target(expr="up", refId="A")]))
    placed.append(gl.Table(title="Table", id=13, gridPos=gl.GridPos(8, 12, 12, 30),
                           targets=[gl.Target(expr="up", refId="A", format="table", instant=True)]))
    service = gl.Template(name="service", query="label_values(http_requests_total, service)",
                          dataSource="${datasource}")
    datasource = gl.Template(name="datasource", query="prometheus", type="datasource")
    return gl.Dashboard(title=f"Bench {i}", uid=f"bench-{i}", panels=placed,
                        templating=gl.Templating(list=[datasource, service]))


def foundation_dashboard(i: int) -> Any:
    """The same dashboard with the Foundation SDK's builders (it places panels itself)."""
    from grafana_foundation_sdk.builders import dashboard as fd
    from grafana_foundation_sdk.builders import gauge, prometheus, stat, table, timeseries
    from grafana_foundation_sdk.models.dashboard import DataSourceRef

    source = DataSourceRef(type_val="prometheus", uid="${datasource}")
    board = (fd.Dashboard(f"Bench {i}").uid(f"bench-{i}")
             .with_variable(fd.DatasourceVariable("datasource").type("prometheus"))
             .with_variable(fd.QueryVariable("service").datasource(source)
                            .query("label_values(http_requests_total, service)"))
             .with_row(fd.Row("Traffic")))
    for j in range(6):
        board.with_panel(timeseries.Panel().title(f"Series {j}").unit("reqps").span(12).height(8)
                         .datasource(source).with_target(
                             prometheus.Dataquery().expr(EXPR).legend_format("{{route}}")))
    board.with_row(fd.Row("Summary"))
    for j in range(3):
        board.with_panel(stat.Panel().title(f"Stat {j}").span(8).height(4).datasource(source)
                         .with_target(prometheus.Dataquery().expr("sum(up)")))
    board.with_panel(gauge.Panel().title("Gauge").span(12).height(6).datasource(source)
                     .with_target(prometheus.Dataquery().expr("up")))
    board.with_panel(table.Panel().title("Table").span(12).height(8).datasource(source)
                     .with_target(prometheus.Dataquery().expr("up").instant()))
    return board


def dashkit_json(i: int) -> str:
    return dumps(compile_dashboard(dashkit_dashboard(i)))


def grafanalib_json(i: int) -> str:
    """What grafanalib's ``write_dashboard`` writes: its encoder, sorted keys, indent 2."""
    return json.dumps(grafanalib_dashboard(i).to_json_data(), sort_keys=True, indent=2,
                      cls=DashboardEncoder)


def foundation_json(i: int) -> str:
    """As the Foundation SDK's documentation serialises a dashboard: its encoder, indent 2."""
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    return JSONEncoder(sort_keys=True, indent=2).encode(foundation_dashboard(i).build())
