"""Abuse: answers that are well-formed HTTP but hostile in what they hold. A Prometheus sample
without its ``metric`` is one error naming the dashboard and variable; Grafana search pages that
never end (or are huge) cost bounded memory and time."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

from dashkit.check.resolve import resolve_variables, time_context
from dashkit.check.runner import check_dashboards
from dashkit.clients.prometheus import PrometheusClient
from dashkit.errors import DashkitError
from standins.loopback import LoopbackServer, QuietHandler


class Prometheus(QuietHandler):
    """Knows one metric, ``up``; answers every instant query with ``samples``."""
    samples: list[Any] = []

    def do_GET(self) -> None:  # noqa: N802
        path = urlparse(self.path).path
        data: Any = ["up"] if path.startswith("/api/v1/label/") else {
            "resultType": "vector", "result": Prometheus.samples}
        if path == "/api/v1/query_range":
            data = {"resultType": "matrix", "result": []}
        self.send(200, json.dumps({"status": "success", "data": data}).encode(),
                  "application/json")


@pytest.fixture
def prometheus() -> Iterator[PrometheusClient]:
    server = LoopbackServer(Prometheus)
    server.start()
    yield PrometheusClient(server.url, timeout=5, deadline=30)
    server.stop()


MODEL = {"uid": "hosts", "title": "Hosts", "templating": {"list": [
    {"name": "host", "type": "query", "query": "query_result(up)",
     "datasource": {"type": "prometheus", "uid": "ds"}, "regex": ""}]},
    "panels": [{"type": "timeseries", "title": "Up", "datasource": {"type": "prometheus"},
                "targets": [{"refId": "A", "expr": "up{instance=~\"$host\"}"}]}]}


def host_options(prometheus: PrometheusClient, samples: list[Any]) -> Any:
    Prometheus.samples = samples
    return resolve_variables(MODEL, prometheus, time_context(MODEL, {}, 15))["host"]


def test_query_result_lines_are_grafanas(prometheus):
    """Grafana's PrometheusMetricFindQuery.queryResultQuery: name{labels} value time-in-ms; the
    first is picked on load."""
    sample = {"metric": {"__name__": "up", "instance": "a:9100"}, "value": [1700000000.5, "1"]}
    assert host_options(prometheus, [sample]) == ['up{instance="a:9100"} 1 1700000000500']


@pytest.mark.parametrize("sample,why", [
    ({"value": [1700000000, "1"]}, "unexpected shape (NoneType)"),
    ({"metric": [], "value": [1700000000, "1"]}, "unexpected shape (list)"),
    ({"metric": {}}, "no [time, value] pair"),
    ({"metric": {}, "value": ["soon", "1"]}, "could not convert"),
    ({"metric": {}, "value": ["1e400", "1"]}, "cannot convert float infinity"),
])
def test_a_query_result_sample_without_its_metric_is_one_error(prometheus, sample, why):
    Prometheus.samples = [sample]
    with pytest.raises(DashkitError) as raised:
        check_dashboards([MODEL], prometheus)
    message = str(raised.value)
    assert message.startswith("dashboard 'hosts': variable $host: query_result: a sample of the "
                              "answer is not a series (") and why in message, message
    assert "\n" not in message
