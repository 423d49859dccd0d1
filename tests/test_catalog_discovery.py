"""``dashkit catalog`` without a server: folding metadata and series into a catalog module, from
well-formed and hostile answers. The same command against the real Prometheus is in
test_live.py."""
from __future__ import annotations

import ast

import pytest

from dashkit import DashkitError, catalogs
from dashkit.query import discovery
from dashkit.query.catalog import MetricType

METADATA = {
    "http_requests_total": [{"type": "counter", "help": "Requests served", "unit": ""}],
    "http_request_duration_seconds": [{"type": "histogram", "help": "Latency", "unit": ""}],
    "rpc_seconds": [{"type": "summary", "help": "RPC time", "unit": ""}],
    "queue_depth": [{"type": "gauge", "help": "Jobs waiting", "unit": ""}],
    "battery": [{"type": "gauge", "help": "Charge", "unit": "ratio"}],
    "node_cpu_seconds_total": [{"type": "counter", "help": "CPU", "unit": ""}],
    "node_vmstat_pgfault": [{"type": "untyped", "help": "Page faults", "unit": ""}],
    "go_goroutines": [{"type": "gauge", "help": "Goroutines", "unit": ""}],
}
API = {"job": "api", "instance": "api:80"}
NODE = {"job": "node", "instance": "node:9100"}
SERIES = [
    {"__name__": "http_requests_total", **API, "route": "/", "status_code": "200"},
    {"__name__": "http_requests_total", **API, "route": "/", "method": "GET", "status_code": "500"},
    *({"__name__": "http_request_duration_seconds_bucket", **API, "route": "/", "le": le}
      for le in ("0.1", "0.5", "+Inf")),
    {"__name__": "http_request_duration_seconds_sum", **API, "route": "/"},
    {"__name__": "http_request_duration_seconds_count", **API, "route": "/"},
    {"__name__": "rpc_seconds", **API, "method": "get", "quantile": "0.9"},
    {"__name__": "rpc_seconds_sum", **API, "method": "get"},
    {"__name__": "rpc_seconds_count", **API, "method": "get"},
    {"__name__": "queue_depth", **API, "queue": "mail"},
    {"__name__": "battery", **API},
    {"__name__": "nodejs_heap_size_total_bytes", **API},
    {"__name__": "nodejs_eventloop_lag_seconds", **API},
    {"__name__": "node_cpu_seconds_total", **NODE, "cpu": "0", "mode": "idle"},
    {"__name__": "node_vmstat_pgfault", **NODE},
    {"__name__": "go_goroutines", **NODE},
    {"__name__": "go_goroutines", **API},    # an API that is a Go program too: its own metric
    {"__name__": "job:http_requests:rate5m", "job": "api"},
    {"__name__": "slo:availability"},          # a recording rule that drops job: not scraped
    {"__name__": "orphan_bucket", **API, "le": "1"},  # no metadata: still a histogram
    {"__name__": "up", **API},
    {"__name__": "scrape_duration_seconds", **API},
]


@pytest.fixture(scope="module")
def found() -> discovery.Discovery:
    return discovery.fold(METADATA, SERIES)


def by_name(found: discovery.Discovery) -> dict[str, object]:
    return {m.name: m for m in found.metrics}


def test_types_help_and_units_come_from_the_metadata(found):
    metrics = by_name(found)
    requests = metrics["http_requests_total"]
    assert (requests.type, requests.help, requests.unit) == (MetricType.COUNTER, "Requests served", "")
    assert metrics["battery"].unit == "percentunit"        # the metadata's own unit
    assert metrics["http_request_duration_seconds"].unit == "s"  # from the name's suffix
    assert metrics["queue_depth"].type is MetricType.GAUGE


def test_labels_are_every_label_the_series_carry(found):
    metrics = by_name(found)
    assert metrics["http_requests_total"].labels == {"route", "status_code", "method"}
    assert metrics["queue_depth"].labels == {"queue"}


def test_histogram_and_summary_families_are_folded(found):
    metrics = by_name(found)
    histogram = metrics["http_request_duration_seconds"]
    assert histogram.type is MetricType.HISTOGRAM
    assert histogram.labels == {"route"} and histogram.buckets == (0.1, 0.5)
    summary = metrics["rpc_seconds"]
    assert summary.type is MetricType.SUMMARY and summary.labels == {"method"}
    assert not {n for n in metrics if n.endswith(("_bucket", "_sum", "_count"))}
    assert metrics["orphan"].type is MetricType.HISTOGRAM


def test_known_exporters_are_left_to_the_builtin_catalogs(found):
    assert found.builtins == ('catalogs.prom_client("")', "catalogs.NODE_EXPORTER",
                              "catalogs.PROMETHEUS")
    metrics = by_name(found)
    assert "node_cpu_seconds_total" not in metrics and "nodejs_heap_size_total_bytes" not in metrics
    assert "node_vmstat_pgfault" not in metrics     # the exporter's job: left to it
    assert found.left_to_builtins == {"node": 1}
    assert "go_goroutines" in metrics                # also exposed by a job of the team's own
    assert "up" not in metrics and "scrape_duration_seconds" not in metrics


def test_recording_rules_are_gauges_and_scraped_only_with_a_job(found):
    metrics = by_name(found)
    assert metrics["job:http_requests:rate5m"].scraped
    assert not metrics["slo:availability"].scraped


def test_the_module_builds_the_same_catalog(found):
    source = discovery.module_source(found, name="team", origin="http://prometheus:9090")
    namespace: dict[str, object] = {}
    exec(compile(source, "catalog.py", "exec"), namespace)
    catalog = namespace["CATALOG"]
    own = namespace["OWN"]
    assert set(own) == set(found.metrics)
    assert catalogs.NODE_EXPORTER.metrics[0] in catalog.metrics
    assert catalog.labels("http_request_duration_seconds_bucket") == {
        "route", "le", "job", "instance"}
    assert source == discovery.module_source(discovery.fold(METADATA, list(reversed(SERIES))),
                                             name="team", origin="http://prometheus:9090")


HOSTILE_METADATA = {
    "evil_total": [{"type": "counter", "help": '"""\nimport os; os.system("x")\n"""', "unit": ""}],
    "weird": "not a list", "list_of_junk": [1, None],
    'x"); import os; ("': [{"type": "gauge"}],
}
HOSTILE_SERIES = [
    {"__name__": "evil_total", "job": "a", "route": "\n'''"},
    {"__name__": "weird"}, {"__name__": "list_of_junk", "job": "a"},
    {"__name__": 'x"); import os; ("', "job": "a"},
    {"__name__": "fine", "bad-label\n": "1", "job": "a"},
    "not a label set", None, {"no": "name"},
]


def test_a_hostile_answer_never_becomes_code():
    found = discovery.fold(HOSTILE_METADATA, HOSTILE_SERIES)
    source = discovery.module_source(found, name='t"""; import os', origin="http://p\n:1 import os")
    tree = ast.parse(source)
    calls = {ast.unparse(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    assert calls <= {"Catalog", "Metric.counter", "Metric.gauge", "Metric.histogram", "Metric.summary",
                     "Metric.info"}
    imports = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
               for alias in node.names}
    assert imports <= {"annotations", "catalogs", "Catalog", "Metric"}
    names = {m.name for m in found.metrics}
    assert names == {"evil_total", "weird", "list_of_junk"}
    assert "\n" not in next(m for m in found.metrics if m.name == "evil_total").help
    assert len(found.skipped) == 2  # the metric name and the label name that are not valid


def test_it_replaces_only_a_module_it_wrote(tmp_path, found):
    source = discovery.module_source(found, name="team", origin="http://p:9090")
    mine = tmp_path / "catalog.py"
    discovery.write_module(mine, source)
    discovery.write_module(mine, source.replace("Requests served", "Served"))
    assert "Served" in mine.read_text()
    theirs = tmp_path / "theirs.py"
    theirs.write_text("CATALOG = None  # kept by hand\n")
    with pytest.raises(DashkitError, match=r"was not written by dashkit catalog.*--force"):
        discovery.write_module(theirs, source)
    assert theirs.read_text() == "CATALOG = None  # kept by hand\n"
    discovery.write_module(theirs, source, force=True)
    assert theirs.read_text() == source
    with pytest.raises(DashkitError, match="no such folder"):
        discovery.write_module(tmp_path / "missing" / "catalog.py", source)
