"""The benchmark's dashboard (same_dashkit.py) as grafanalib objects: grafanalib alone is imported."""
from __future__ import annotations

import json

import grafanalib.core as gl
from grafanalib._gen import DashboardEncoder

EXPR = 'sum by (route) (rate(http_requests_total{service=~"$service"}[$__rate_interval]))'


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


def grafanalib_json(i: int) -> str:
    """What grafanalib's ``write_dashboard`` writes: its encoder, sorted keys, indent 2."""
    return json.dumps(grafanalib_dashboard(i).to_json_data(), sort_keys=True, indent=2,
                      cls=DashboardEncoder)
