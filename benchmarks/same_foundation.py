"""The benchmark's dashboard (same_dashkit.py) with the Foundation SDK's builders; the SDK is
installed in the benchmark environment alone (``make benchmark``)."""
from __future__ import annotations

from typing import Any

from grafana_foundation_sdk.builders import dashboard as fd
from grafana_foundation_sdk.builders import gauge, prometheus, stat, table, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

EXPR = 'sum by (route) (rate(http_requests_total{service=~"$service"}[$__rate_interval]))'


def foundation_dashboard(i: int) -> Any:
    """The same dashboard with the Foundation SDK's builders (it places panels itself)."""
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


def foundation_json(i: int) -> str:
    """As the Foundation SDK's documentation serialises a dashboard: its encoder, indent 2."""
    return JSONEncoder(sort_keys=True, indent=2).encode(foundation_dashboard(i).build())
