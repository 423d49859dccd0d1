from __future__ import annotations

import pytest

from dashkit import Catalog, DashkitError, catalogs
from dashkit.query.catalog import Metric


@pytest.fixture
def catalog() -> Catalog:
    return Catalog("t", [Metric.counter("http_requests_total", ["service", "status_code"]),
                         Metric.histogram("latency_seconds", ["route"]),
                         Metric.summary("rpc_seconds", ["method"]),
                         Metric.gauge("temperature", ["room"])])


def test_histogram_exposes_bucket_sum_and_count(catalog):
    assert catalog.labels("latency_seconds_bucket") == {"route", "le", "job", "instance"}
    assert catalog.labels("latency_seconds_count") == {"route", "job", "instance"}
    assert "latency_seconds" not in catalog  # a histogram has no series of its own name


def test_summary_carries_quantile(catalog):
    assert "quantile" in catalog.labels("rpc_seconds")


def test_unknown_metric_suggests_the_close_name(catalog):
    with pytest.raises(DashkitError, match=r"unknown metric 'http_request_total'.*did you mean "
                                           r"'http_requests_total'"):
        catalog.metric("http_request_total")


def test_unknown_label_lists_the_real_ones(catalog):
    with pytest.raises(DashkitError, match=r"no label 'status'.*did you mean 'status_code'.*"
                                           r"it has: instance, job, service, status_code"):
        catalog.validate_labels("http_requests_total", ["status"])


def test_target_labels_are_always_there(catalog):
    catalog.validate_labels("temperature", ["job", "instance", "room"])


def test_catalogs_combine(catalog):
    combined = catalog + catalogs.NODE_EXPORTER
    assert "node_load1" in combined and "temperature" in combined


def test_conflicting_definitions_are_refused():
    with pytest.raises(DashkitError, match="twice"):
        Catalog("x", [Metric.gauge("a"), Metric.counter("a")])


def test_prom_client_prefix_is_one_setting():
    prefixed = catalogs.prom_client("nodejs_")
    assert "nodejs_process_cpu_seconds_total" in prefixed
    assert "nodejs_nodejs_eventloop_lag_seconds" in prefixed
    assert "process_cpu_seconds_total" not in prefixed
    assert "process_cpu_seconds_total" in catalogs.prom_client()


def test_alerts_accepts_any_rule_label():
    catalogs.PROMETHEUS.validate_labels("ALERTS", ["alertname", "service", "anything"])
    assert "job" not in catalogs.PROMETHEUS.metric("ALERTS").series()["ALERTS"]
