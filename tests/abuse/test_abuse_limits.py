"""Abuse: answers that are well-formed HTTP but hostile in what they hold. A Prometheus sample
without its ``metric`` is one error naming the dashboard and variable; Grafana search pages that
never end (or are huge) cost bounded memory and time."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from standins.loopback import LoopbackServer, QuietHandler

from dashkit.check.resolve import resolve_variables, time_context
from dashkit.check.runner import check_dashboards
from dashkit.clients.exports import dashboard_uids
from dashkit.clients.grafana import Credentials, GrafanaClient
from dashkit.clients.prometheus import PrometheusClient
from dashkit.errors import DashkitError
from dashkit.publishing.resources import DashboardAPI, ResourceStore


class Prometheus(QuietHandler):
    """Knows one metric, ``up``; answers every instant query with ``samples``."""
    samples: ClassVar[list[Any]] = []

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


# --- pages and items: listings that never end, pages that hold too much ---------------------------
class Listing(QuietHandler):
    """Grafana's search and the dashboard API's list, hostile: ``kind`` says how."""
    kind = "endless"
    requests = 0
    #: "endless" ends here: far past the 100-page limit, so a client without it fails its test
    #: at once instead of at its 20 s deadline
    LAST_PAGE = 150

    def do_GET(self) -> None:  # noqa: N802
        Listing.requests += 1
        query = parse_qs(urlparse(self.path).query)
        page = int(query.get("page", ["1"])[0])
        if self.path.startswith("/api/search"):
            size = {"endless": 1000 if page <= Listing.LAST_PAGE else 0,
                    "overfull": 1001}.get(Listing.kind, 0)
            body = (b"[" + b"{}," * 2_100_000 + b"{}]" if Listing.kind == "costly" else
                    json.dumps([{"uid": f"p{page}-{i}", "title": "t"} for i in range(size)])
                    .encode())
        else:  # /apis/dashboard.grafana.app/...: always another page
            items = [{"metadata": {"name": f"x{i}"}} for i in range(501)] \
                if Listing.kind == "overfull" else []
            body = json.dumps({"items": items, "metadata": {"continue": f"next-{Listing.requests}"}}
                              ).encode()
        self.send(200, body, "application/json")


@pytest.fixture
def grafana() -> Iterator[GrafanaClient]:
    server = LoopbackServer(Listing)
    server.start()
    Listing.requests = 0
    yield GrafanaClient(server.url, Credentials.token("glsa_listing"), timeout=10, deadline=20)
    server.stop()


def test_a_search_that_never_ends_stops_at_the_page_limit(grafana):
    """import --all: a Grafana that sends full page after full page is asked 100, no more."""
    Listing.kind = "endless"
    with pytest.raises(DashkitError, match=r"more than 100,000 hits; stopped"):
        dashboard_uids(grafana)
    assert Listing.requests == 100


def test_a_search_page_with_more_hits_than_asked_is_refused(grafana):
    Listing.kind = "overfull"
    with pytest.raises(DashkitError, match=r"1001 hits on a page of 1000"):
        dashboard_uids(grafana)
    assert Listing.requests == 1


def test_a_page_of_millions_of_empty_objects_is_refused_before_it_is_parsed(grafana):
    """6 MB, far under the 64 MiB limit, but 2.1 million objects: about 150 MB parsed."""
    Listing.kind = "costly"
    with pytest.raises(DashkitError) as refused:
        dashboard_uids(grafana)
    assert str(refused.value).endswith("answer holds over 2,000,000 JSON values: not read")


def test_the_prune_listing_that_never_ends_stops_at_the_page_limit(grafana):
    Listing.kind = "endless"
    with pytest.raises(DashkitError, match=r"more than 100000 dashboards listed; stopped"):
        ResourceStore(grafana, DashboardAPI("v1"), "folder").managed("folder")
    assert Listing.requests == 200


def test_a_prune_listing_page_with_more_items_than_asked_is_refused(grafana):
    Listing.kind = "overfull"
    with pytest.raises(DashkitError, match=r"501 items on a page of 500"):
        ResourceStore(grafana, DashboardAPI("v1"), "folder").managed("folder")
    assert Listing.requests == 1
